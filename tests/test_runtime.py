

def test_the_one_blas_thread_limit_holds_until_the_last_concurrent_search_ends() -> None:
    """Two searches overlap: the first to finish must not give the other's BLAS its threads back mid-ranking."""
    import numpy  # noqa: F401  (loads its BLAS)
    from threadpoolctl import ThreadpoolController

    from qa.runtime import OneBlasThread

    pools = ThreadpoolController()  # the BLAS libraries loaded now (a test run may load more after the default's)

    def blas_threads() -> set[int]:
        return {int(p["num_threads"]) for p in pools.info() if p["user_api"] == "blas"}

    before = blas_threads()
    assert before, "numpy's BLAS is loaded"
    limit = OneBlasThread(pools)
    limit.__enter__()
    limit.__enter__()  # a second search starts before the first ends
    limit.__exit__()
    assert blas_threads() <= {1}
    limit.__exit__()
    assert blas_threads() == before
