"""The integration suite: every test that starts the real CDK CLI. The sample app deployed
against a local, patched moto server (``deploy_local``), the proof that each moto patch is
still needed, and what `cdk synth` of the sample app prints (``test_cdk_synth_*``).

Every test here carries the ``integ`` marker (``conftest.py``): ``make unit`` leaves them
out (``pytest -m "not integ"``), ``make integ`` runs only them, ``make test`` runs both.
"""
