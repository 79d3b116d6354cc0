

def test_the_one_blas_thread_limit_holds_until_the_last_concurrent_search_ends() -> None:
    """Two searches overlap: the first to finish must not give the other's BLAS its threads back mid-ranking."""
    from threadpoolctl import threadpool_info

    from qa.runtime import OneBlasThread

    def blas_threads() -> set[int]:
        return {int(p["num_threads"]) for p in threadpool_info() if p["user_api"] == "blas"}

    import numpy  # noqa: F401  (loads its BLAS)

    before = blas_threads()
    assert before, "numpy's BLAS is loaded"
    limit = OneBlasThread()
    limit.__enter__()
    limit.__enter__()  # a second search starts before the first ends
    limit.__exit__()
    assert blas_threads() <= {1}
    limit.__exit__()
    assert blas_threads() == before
