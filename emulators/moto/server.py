"""moto_server with the operations this project's tests need and moto lacks (see macie2_extension.py and
cloudwatch_extension.py).

Same arguments as moto_server; emulators/moto/moto-server.ts starts it with the project's venv Python.
"""

import sys

from cloudwatch_extension import install as install_cloudwatch
from macie2_extension import install
from moto.server import main

if __name__ == "__main__":
    install()
    install_cloudwatch()
    sys.exit(main())
