"""Every error Ymateb raises on purpose, in one tree.

    YmatebError                  base: the CLI and the UI catch this and show its message
    ├── ConfigError              a setting is missing or wrong (endpoint, store path ...)
    ├── InputError               the user's input cannot be used
    │   ├── DocumentError        a file is unreadable, empty, binary, encrypted, not UTF-8 ...
    │   └── EmptyRequestError    a draft was asked for with no text
    ├── StoreError               the index cannot be read or written (disk full, server down)
    ├── SourceError              an official source (rag.sources) cannot be read: DNS, HTTP, bad JSON
    └── BackendError             a drafting backend failed
        ├── AuthError            the endpoint refused the key (HTTP 401/403)
        ├── EndpointTimeout      the endpoint did not answer in time
        └── EmptyAnswerError     the endpoint answered nothing usable, or refused

Messages are written for the person at the keyboard: what went wrong and what to do next.
The CLI prints the message as one line and exits 2 for a ConfigError (as for a usage error), 1 otherwise.
Vendor exceptions (openai, chromadb, onnxruntime) are wrapped, never shown raw.
"""

from __future__ import annotations


class YmatebError(Exception):
    """Base of every deliberate error; its message is safe to show to a user."""


class ConfigError(YmatebError):
    """A setting is missing or invalid."""


class InputError(YmatebError):
    """The user's input cannot be used as it is."""


class DocumentError(InputError):
    """A document could not be read; the message is a one-line reason."""


class EmptyRequestError(InputError):
    """A draft was requested for empty text."""


class StoreError(YmatebError):
    """The precedent index could not be read or written."""


class SourceError(YmatebError):
    """An official source could not be read; the message names the host and what to check."""


class BackendError(YmatebError):
    """A drafting backend failed."""


class AuthError(BackendError):
    """The endpoint refused the credentials."""


class EndpointTimeout(BackendError):
    """The endpoint did not answer within the timeout."""


class EmptyAnswerError(BackendError):
    """The endpoint returned an empty answer or refused to answer."""
