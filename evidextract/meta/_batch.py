def rma_batch(*a, **k):
    raise NotImplementedError
