"""A tiny MCP stdio server for the tests: ``python tests/unit/tools/mcp_server.py``.

Tools: ``add(a, b)``, ``echo(text)``, ``fail()`` (the tool reports an error) and ``die()`` (the
process exits at once, mid-session, after writing ``MCP_TEST_DIE_MESSAGE`` to stderr if set). With ``MCP_TEST_CRASH_AT_START=1`` in the environment it writes
a line to stderr and exits before the handshake. With ``MCP_TEST_PID_FILE=<path>`` it writes its
process id there first (tests check that no process is left behind).
"""

from __future__ import annotations

import os
import sys

if os.environ.get("MCP_TEST_PID_FILE"):
    with open(os.environ["MCP_TEST_PID_FILE"], "w", encoding="ascii") as pid_file:
        pid_file.write(str(os.getpid()))

if os.environ.get("MCP_TEST_CRASH_AT_START"):
    print("mcp test server: crashing at start as asked", file=sys.stderr, flush=True)
    sys.exit(3)

from mcp.server.mcpserver import MCPServer

server = MCPServer("parla-test-server")


@server.tool(description="Add two integers.")
def add(a: int, b: int) -> int:
    return a + b


@server.tool(description="Echo the text back.")
def echo(text: str) -> str:
    return f"echo: {text}"


@server.tool(description="Always fails.")
def fail() -> str:
    raise ValueError("this tool always fails")


@server.tool(description="Exit the server process at once.")
def die() -> str:
    sys.stdout.flush()
    if os.environ.get("MCP_TEST_DIE_MESSAGE"):
        print(os.environ["MCP_TEST_DIE_MESSAGE"], file=sys.stderr, flush=True)
    os._exit(7)


if __name__ == "__main__":
    server.run("stdio")
