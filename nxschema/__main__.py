# The guard matters: the validation workers are started with ``spawn``, which imports the
# parent's main module again (as ``__mp_main__``) in every worker.
if __name__ == "__main__":
    from nxschema._cli.main import run

    run()
