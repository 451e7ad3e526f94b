"""Rehearse a deploy offline: the real CDK CLI against a local, patched moto server.

``sm-pipeline-iam rehearse --app "python app.py"`` (or ``--assembly cdk.out``) starts moto's
server on a free loopback port, bootstraps every environment of the app, deploys every
stack, reads everything back against the templates, destroys, stops the server and says
what moto cannot model (:mod:`.rehearsal`). The project's own round trip of its sample app
(``make deploy-local``, the integration suite) uses the same modules:

- :mod:`.server`: the moto server (started and stopped by PID), clients of its accounts;
- :mod:`.patches`: the adapter that closes moto's gaps, applied in the server process;
- :mod:`.cdk_cli`: the CDK CLI and its environment;
- :mod:`.readback`, :mod:`.inventory`, :mod:`.compare`: the deployed state against the
  templates;
- :mod:`.limits`: what moto cannot model.

It needs moto's server, an optional extra (``pip install 'sm-pipeline-iam[rehearse]'``),
and the CDK CLI (Node.js). ``import sm_pipeline_iam`` never imports this package, and
this module imports neither moto nor boto3.
"""

from __future__ import annotations

import importlib

__all__ = ["INSTALL", "missing_requirement"]

#: How to install what the rehearsal needs.
INSTALL = "pip install 'sm-pipeline-iam[rehearse]'"

#: The modules the rehearsal imports: moto's server (Flask) and boto3.
_REQUIRED = ("boto3", "moto", "flask")


def missing_requirement() -> str | None:
    """One line naming what to install when the ``rehearse`` extra is missing, else None."""
    for module in _REQUIRED:
        try:
            importlib.import_module(module)
        except ImportError:
            return f"needs {module}, of the optional extra: {INSTALL}"
    return None
