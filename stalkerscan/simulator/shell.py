"""The simulated phone's small shell: pure logic, no sockets.

It understands what the collectors (and `adb shell` users) send: simple commands joined by `;`,
`&&`, `||` or newlines; single and double quotes and backslashes; `$?`; the redirections
`N>/dev/null` and `N>&M`; and the builtins `echo`, `exit`, `true`, `false`, `which`,
`command -v`, `getprop` (from the profile's properties) and the hash commands `sha256sum`,
`sha1sum`, `md5sum`, `sha512sum` over the profile's files (real digests, toybox's output).
Every other simple command is answered by exact match of its words in the profile; an unknown
one gets mksh's answer `/system/bin/sh: NAME: inaccessible or not found` and status 127.

Output is an iterator of `(fd, bytes)` chunks (fd 1 stdout, 2 stderr) so large outputs and
files are streamed; the exit status is `ShellRun.exit_code` once the iterator is exhausted.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field

from stalkerscan.simulator.profile import Profile

NOT_FOUND = "/system/bin/sh: {name}: inaccessible or not found\n"
HASH_ALGORITHMS = {"sha256sum": "sha256", "sha1sum": "sha1", "md5sum": "md5", "sha512sum": "sha512"}


class ShellSyntaxError(ValueError):
    """A command line the simulated shell does not understand (or does not support)."""


# --- parsing ---------------------------------------------------------------------------------

_EXIT_STATUS = object()  # the `$?` placeholder inside a word


@dataclass
class Word:
    """A word: literal text and `$?` placeholders, expanded when the command runs."""

    parts: list[str | object] = field(default_factory=list)
    quoted: bool = False

    def expand(self, status: int) -> str:
        """The word's text with `$?` replaced by `status`."""
        return "".join(str(status) if p is _EXIT_STATUS else str(p) for p in self.parts)

    def literal(self) -> str | None:
        """The text when it has no expansion and no quotes, else None."""
        if self.quoted or any(p is _EXIT_STATUS for p in self.parts):
            return None
        return "".join(str(p) for p in self.parts)


@dataclass
class Redirect:
    """`fd>/dev/null` (target None) or `fd>&target_fd`; other files are refused at run time."""

    fd: int
    to_fd: int | None
    path: str | None


@dataclass
class SimpleCommand:
    """Words and redirections of one simple command."""

    words: list[Word]
    redirects: list[Redirect]


def parse(line: str) -> list[tuple[str, SimpleCommand]]:
    """Split a command line into (connector, simple command) pairs (the first connector is `;`)."""
    tokens = _tokenize(line)
    out: list[tuple[str, SimpleCommand]] = []
    connector = ";"
    words: list[Word] = []
    redirects: list[Redirect] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if isinstance(tok, Word):
            words.append(tok)
        elif isinstance(tok, Redirect):
            redirects.append(tok)
        elif tok in (";", "&&", "||"):
            if words:
                out.append((connector, SimpleCommand(words, redirects)))
            elif tok != ";" or redirects:
                raise ShellSyntaxError(f"syntax error: unexpected '{tok}'")
            connector, words, redirects = tok, [], []
        else:
            raise ShellSyntaxError(f"syntax error: '{tok}' is not supported by the simulated phone")
        i += 1
    if words:
        out.append((connector, SimpleCommand(words, redirects)))
    elif connector in ("&&", "||") or redirects:
        raise ShellSyntaxError("syntax error: unexpected end of line")
    return out


def _tokenize(line: str) -> list[Word | Redirect | str]:
    tokens: list[Word | Redirect | str] = []
    word: Word | None = None
    i, n = 0, len(line)

    def add(text: str | object, quoted: bool = False) -> None:
        nonlocal word
        if word is None:
            word = Word()
        word.parts.append(text)
        word.quoted = word.quoted or quoted

    def end_word() -> None:
        nonlocal word
        if word is not None:
            tokens.append(word)
            word = None

    while i < n:
        c = line[i]
        if c in " \t":
            end_word()
            i += 1
        elif c == "\n":
            end_word()
            tokens.append(";")
            i += 1
        elif c == "#" and word is None:
            while i < n and line[i] != "\n":
                i += 1
        elif c == "'":
            j = line.find("'", i + 1)
            if j < 0:
                raise ShellSyntaxError("syntax error: unterminated quoted string")
            add(line[i + 1 : j], quoted=True)
            i = j + 1
        elif c == '"':
            i += 1
            buf = ""
            while True:
                if i >= n:
                    raise ShellSyntaxError("syntax error: unterminated quoted string")
                d = line[i]
                if d == '"':
                    i += 1
                    break
                if d == "\\" and i + 1 < n and line[i + 1] in '"\\$`':
                    buf += line[i + 1]
                    i += 2
                elif d == "$" and line[i + 1 : i + 2] == "?":
                    add(buf, quoted=True)
                    add(_EXIT_STATUS)
                    buf = ""
                    i += 2
                else:
                    buf += d
                    i += 1
            add(buf, quoted=True)
        elif c == "\\":
            if i + 1 < n:
                add(line[i + 1], quoted=True)
            i += 2
        elif c == "$":
            if line[i + 1 : i + 2] == "?":
                add(_EXIT_STATUS)
                i += 2
            else:
                # Other parameters are unset on the simulated phone: they expand to nothing.
                j = i + 1
                while j < n and (line[j].isalnum() or line[j] == "_"):
                    j += 1
                if j == i + 1:
                    add("$")
                    i += 1
                else:
                    add("")
                    i = j
        elif c in ";&|":
            end_word()
            two = line[i : i + 2]
            if two in ("&&", "||"):
                tokens.append(two)
                i += 2
            else:
                tokens.append(c)
                i += 1
        elif c in "<>":
            fd = 1 if c == ">" else 0
            if word is not None:
                lit = word.literal()
                if lit is not None and lit.isdigit() and len(lit) <= 2:
                    fd = int(lit)
                    word = None
                else:
                    end_word()
            if c == "<":
                raise ShellSyntaxError("syntax error: input redirection is not supported")
            i += 1
            if line[i : i + 1] == ">":
                i += 1  # `>>`: appending is refused below like any file
            if line[i : i + 1] == "&":
                j = i + 1
                while j < n and line[j].isdigit():
                    j += 1
                if j == i + 1:
                    raise ShellSyntaxError("syntax error: bad file descriptor after '>&'")
                tokens.append(Redirect(fd, int(line[i + 1 : j]), None))
                i = j
                continue
            while i < n and line[i] in " \t":
                i += 1
            j = i
            while j < n and line[j] not in " \t\n;&|<>":
                j += 1
            target = line[i:j].strip("'\"")
            if not target:
                raise ShellSyntaxError("syntax error: redirection without a target")
            tokens.append(Redirect(fd, None, target))
            i = j
        elif c in "()`":
            end_word()
            tokens.append(c)
            i += 1
        else:
            add(c)
            i += 1
    end_word()
    return tokens


# --- running ---------------------------------------------------------------------------------


class _Exit(Exception):
    def __init__(self, status: int) -> None:
        self.status = status


class ShellRun:
    """One shell session: iterate `chunks()` for output, then read `exit_code`.

    `on_hash(nbytes)` is called before a hash command reads a file (the latency model charges
    the phone's hashing time); `on_run(ms)` for a profile command's extra run time.
    """

    def __init__(
        self,
        profile: Profile,
        command: str,
        *,
        last_status: int = 0,
        on_hash: Callable[[int], None] | None = None,
        on_run: Callable[[float], None] | None = None,
    ) -> None:
        self.profile = profile
        self.command = command
        self.exit_code: int | None = None
        self.exited = False  # the line ran `exit`: an interactive session ends
        self._last_status = last_status  # `$?` at the start (the previous interactive line)
        self._on_hash = on_hash or (lambda n: None)
        self._on_run = on_run or (lambda ms: None)

    def chunks(self) -> Iterator[tuple[int, bytes]]:
        """Output chunks as (fd, data); sets `exit_code` when done."""
        status = self._last_status
        try:
            commands = parse(self.command)
        except ShellSyntaxError as err:
            yield 2, f"/system/bin/sh: {err}\n".encode()
            self.exit_code = 2  # mksh's status for a syntax error
            return
        try:
            for connector, cmd in commands:
                if (connector == "&&" and status != 0) or (connector == "||" and status == 0):
                    continue
                status = yield from self._run_simple(cmd, status)
        except _Exit as e:
            status = e.status
            self.exited = True
        self.exit_code = status & 0xFF

    def collect(self) -> tuple[bytes, bytes, int]:
        """Run to the end and return (stdout, stderr, exit code): for tests and small output."""
        out, err = bytearray(), bytearray()
        for fd, data in self.chunks():
            (out if fd == 1 else err).extend(data)
        assert self.exit_code is not None
        return bytes(out), bytes(err), self.exit_code

    def _run_simple(self, cmd: SimpleCommand, last: int) -> Generator[tuple[int, bytes], None, int]:
        fds: dict[int, int | None] = {1: 1, 2: 2}
        for r in cmd.redirects:
            if r.path is not None and r.path != "/dev/null":
                yield 2, f"/system/bin/sh: can't create {r.path}: Read-only file system\n".encode()
                return 1
            fds[r.fd] = None if r.to_fd is None else fds.get(r.to_fd)
        words = [w.expand(last) for w in cmd.words]
        status = 0
        for fd, data in self._dispatch(words, last):
            if isinstance(data, int):  # the status, last item of _dispatch
                status = data
                continue
            target = fds.get(fd)
            if target is not None and data:
                yield target, data
        return status

    def _dispatch(self, words: list[str], last: int) -> Iterator[tuple[int, bytes | int]]:
        name, args = words[0], words[1:]
        answer = self.profile.lookup_command(words)
        if answer is not None:
            if answer.run_ms:
                self._on_run(answer.run_ms)
            if answer.stdout is not None:
                for chunk in answer.stdout.chunks():
                    yield 1, chunk
            if answer.stderr:
                yield 2, answer.stderr
            yield 0, answer.exit_code
            return
        if name == "echo":
            newline = True
            if args[:1] == ["-n"]:
                newline, args = False, args[1:]
            yield 1, (" ".join(args) + ("\n" if newline else "")).encode()
            yield 0, 0
        elif name in ("true", ":"):
            yield 0, 0
        elif name == "false":
            yield 0, 1
        elif name == "exit":
            try:
                code = int(args[0]) if args else last
            except ValueError:
                yield 2, f"/system/bin/sh: exit: {args[0]}: bad number\n".encode()
                code = 2
            raise _Exit(code)
        elif name == "which" or (name == "command" and args[:1] == ["-v"]):
            yield from self._which(args if name == "which" else args[1:], builtin=name == "command")
        elif name in HASH_ALGORITHMS and name in self.profile.binaries:
            yield from self._hash(name, args)
        elif name == "getprop" and len(args) <= 1 and "getprop" in self.profile.binaries:
            props = self.profile.properties
            if args:
                yield 1, (props.get(args[0], "") + "\n").encode()
            else:
                text = "".join(f"[{k}]: [{v}]\n" for k, v in sorted(props.items()))
                yield 1, text.encode()
            yield 0, 0
        else:
            yield 2, NOT_FOUND.format(name=name).encode()
            yield 0, 127

    def _which(self, names: list[str], *, builtin: bool) -> Iterator[tuple[int, bytes | int]]:
        status = 0 if names else 1
        builtins = {"echo", "exit", "true", "false", "command", ":"}
        for n in names:
            path = self.profile.binaries.get(n)
            if builtin and n in builtins:
                yield 1, f"{n}\n".encode()
            elif path is not None and (not builtin or n not in builtins):
                yield 1, f"{path}\n".encode()
            else:
                status = 1  # toybox `which` and mksh `command -v` print nothing for a miss
        yield 0, status

    def _hash(self, name: str, args: list[str]) -> Iterator[tuple[int, bytes | int]]:
        algorithm = HASH_ALGORITHMS[name]
        brief = False
        paths = []
        for a in args:
            if a == "-b":
                brief = True
            elif a == "--":
                continue
            else:
                paths.append(a)
        status = 0
        if not paths:  # toybox hashes stdin, which is empty for a non-interactive shell
            yield 1, f"{hashlib.new(algorithm).hexdigest()}  -\n".encode()
        for p in paths:
            f = self.profile.files.get(p)
            if f is None:
                reason = "Is a directory" if self.profile.is_dir(p) else "No such file or directory"
                yield 2, f"{name}: {p}: {reason}\n".encode()
                status = 1
            elif not f.readable:
                yield 2, f"{name}: {p}: Permission denied\n".encode()
                status = 1
            else:
                self._on_hash(f.content.size)
                hexdigest = f.content.digest(algorithm)
                yield 1, (f"{hexdigest}\n" if brief else f"{hexdigest}  {p}\n").encode()
        yield 0, status


def run(profile: Profile, command: str) -> tuple[bytes, bytes, int]:
    """Run `command` against `profile` and return (stdout, stderr, exit code)."""
    return ShellRun(profile, command).collect()
