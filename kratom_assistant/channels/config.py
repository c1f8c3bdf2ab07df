"""Which channels to start: credentials.yml's (always on) plus each platform of
platforms.yml whose variables are all set.

The filtered file keeps the ${VARIABLE} placeholders (Rasa fills them in when it reads
the file), so no secret is ever written to disk.
"""

import os
import re
import tempfile
from pathlib import Path
from typing import Dict, List, Mapping, Optional

import yaml

# As Rasa's own default: the file in the working directory the server starts in.
CREDENTIALS = Path("credentials.yml")
PLATFORMS = "platforms.yml"
PLACEHOLDER = re.compile(r"\$\{(\w+)\}")


def variables(block: Optional[Dict]) -> List[str]:
    return [name for value in (block or {}).values() for name in PLACEHOLDER.findall(str(value))]


def enabled_blocks(all_blocks: Dict, environ: Mapping[str, str]) -> Dict:
    """The channels whose variables are all set (non-empty); REST and socket.io have none."""
    return {
        channel: block for channel, block in all_blocks.items() if all(environ.get(name) for name in variables(block))
    }


def missing_variables(all_blocks: Dict, environ: Mapping[str, str]) -> Dict[str, List[str]]:
    """For `make run` to say which platforms are off and what would turn each on."""
    return {
        channel.split(".")[-1].removesuffix("Input"): [n for n in variables(block) if not environ.get(n)]
        for channel, block in all_blocks.items()
        if any(not environ.get(n) for n in variables(block))
    }


class _PlaceholderKeepingLoader(yaml.SafeLoader):
    """PyYAML's safe loader without the environment-variable resolver Rasa registers on it
    (which fails on unset variables): placeholders stay as written."""


_PlaceholderKeepingLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "!env_var"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read(path: Path = CREDENTIALS) -> Dict:
    """Every channel: credentials.yml's and the platforms of platforms.yml beside it."""
    blocks = {}
    for source in (path, path.with_name(PLATFORMS)):
        blocks.update(yaml.load(source.read_text(encoding="utf-8"), Loader=_PlaceholderKeepingLoader) or {})
    return blocks


def write_enabled(
    environ: Mapping[str, str] = os.environ, path: Path = CREDENTIALS, target: Optional[Path] = None
) -> Path:
    """A credentials file with only the enabled channels, for `rasa run --credentials`:
    target, or a new temporary directory's credentials.yml."""
    blocks = enabled_blocks(read(path), environ)
    target = target or Path(tempfile.mkdtemp(prefix="kratom-credentials-")) / "credentials.yml"
    target.write_text(yaml.safe_dump(blocks, sort_keys=False), encoding="utf-8")
    return target


if __name__ == "__main__":
    # `rasa run --credentials "$(python -m kratom_assistant.channels.config)"` (the Kubernetes manifests)
    print(write_enabled())
