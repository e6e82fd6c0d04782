"""moto_server with the operations this project's tests need and moto lacks (see macie2_extension.py,
cloudwatch_extension.py, securityhub_extension.py, config_extension.py and bedrock_guardrail_extension.py).

Same arguments as moto_server; emulators/moto/moto-server.ts starts it with the project's venv Python.
"""

import sys

from bedrock_guardrail_extension import install as install_bedrock_guardrails
from cloudwatch_extension import install as install_cloudwatch
from config_extension import install as install_config
from macie2_extension import install
from securityhub_extension import install as install_securityhub
from moto.server import main

if __name__ == "__main__":
    install()
    install_cloudwatch()
    install_securityhub()
    install_config()
    install_bedrock_guardrails()
    sys.exit(main())
