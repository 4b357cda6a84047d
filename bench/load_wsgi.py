"""The bench's app servers: the portal with the settings bench/load.py passes in LOAD_OVERRIDES."""

import json
import os

from portal import create_app

app = create_app(json.loads(os.environ.get("LOAD_OVERRIDES", "{}")))
