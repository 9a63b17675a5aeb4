from tests.keychain import keychain_factory, no_keychain, secret_service  # noqa: F401
from tests.loopback.fixtures import loopback  # noqa: F401
