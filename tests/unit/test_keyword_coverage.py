"""Every match of every signal's patterns contains one of the signal's keywords.

The pure-`re` engine (`engine="re"`) runs a signal's regex only near its keyword hits (Aho-Corasick,
substring match; docs/rules.md "How a ticket is matched"), so a match without a keyword is silently
missed there while the Hyperscan engine and the unfiltered baseline find it. Such holes used to be found
only when a labelled ticket happened to hit one ("nenhuma avaliacao" with keyword "avaliacoes"; "his
freelancer account" with keyword "his account"; "nothing has arrived" with "nothing arrived").

How the search works, per signal and per branch (top-level alternative, `Signal.branches`):

* The branch's parse tree (`re._parser.parse`) becomes an NFA: literals, character classes, `|`
  alternatives, groups and repeats (bounded repeats expanded up to `_MAX_COPIES` optional copies, larger
  or unbounded ones as a loop), `\\b`/`\\B` as conditions on the neighbouring characters. Lookarounds,
  `^`/`$` are assumed to hold (a superset: every candidate is checked with `re` below).
* That NFA is run in product with an Aho-Corasick automaton of the signal's keywords; a step that
  completes a keyword is forbidden. Every path that reaches the NFA's end is a match *without any
  keyword*. The search is exhaustive, not sampled: a character class is explored as its keyword
  characters plus one non-keyword character of each kind (word / non-word), and a non-keyword character
  resets the automaton, so it avoids keywords at least as well as any other character of its kind.
* Reported per branch: the shortest keyword-free match, and for every alternative of every `|` and every
  optional group (taken / skipped) the shortest keyword-free match that goes through it — so each hole
  shows up once per alternative that opens it, not only once per branch.
* Each candidate is confirmed with `re`: the signal's full regex must match it (wrapped in spaces or
  not, for `\\b`/anchors, and next to the shortest text each positive lookahead / lookbehind of the
  branch wants to read) and the matched text must contain no keyword. Unconfirmed candidates (a negative
  lookaround forbids them) are dropped.

Limits: whitespace is explored as the space character only (a `\\s` could also match a tab or a newline,
which a keyword written with a space would not cover); non-ASCII letters are not tried; a candidate that a
lookaround rejects is dropped without looking for another path through the same alternative. The test
checks the contract only, not that a match lies within `window` characters of its keyword (a match much
longer than the window could still be cut).
"""

from __future__ import annotations

import re
import re._constants as sre_c
import re._parser as sre_p
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

from triage.classify import Signal, parse_rules

RULES = Path(__file__).resolve().parents[2] / "config" / "rules.yaml"

_MAX_COPIES = 12  # a bounded repeat with more optional copies is searched as a loop (a superset)
# Non-keyword stand-ins for a character class, best first: a letter, a space, a digit, punctuation.
_PREFERRED = "xqzjkvwyfbghpmcudlotnrsaie 1234567890_-,'/:;()&+#\"*@$%=<>[]{}|~^.!?"
_SPACES = " \t\n\r\f\v"


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


class Unsupported(Exception):
    """A construct the search cannot model (backreferences, conditional groups, case-insensitive flags)."""


class _Keywords:
    """Aho-Corasick automaton over the signal's (normalised) keywords: `step` and `hit` (a keyword ends)."""

    def __init__(self, keywords: Sequence[str]) -> None:
        self.goto: list[dict[str, int]] = [{}]
        self.hit: list[bool] = [False]
        for kw in keywords:
            s = 0
            for ch in kw:
                nxt = self.goto[s].get(ch)
                if nxt is None:
                    nxt = len(self.goto)
                    self.goto[s][ch] = nxt
                    self.goto.append({})
                    self.hit.append(False)
                s = nxt
            self.hit[s] = True
        self.fail = [0] * len(self.goto)
        queue = deque(self.goto[0].values())
        while queue:
            s = queue.popleft()
            for ch, t in self.goto[s].items():
                f = self.fail[s]
                while f and ch not in self.goto[f]:
                    f = self.fail[f]
                self.fail[t] = self.goto[f][ch] if ch in self.goto[f] and self.goto[f][ch] != t else 0
                self.hit[t] = self.hit[t] or self.hit[self.fail[t]]
                queue.append(t)
        self.chars = frozenset("".join(keywords))
        self._memo: dict[tuple[int, str], int] = {}

    def step(self, s: int, ch: str) -> int:
        if ch not in self.chars:
            return 0
        key = (s, ch)
        out = self._memo.get(key)
        if out is None:
            t = s
            while t and ch not in self.goto[t]:
                t = self.fail[t]
            out = self._memo[key] = self.goto[t].get(ch, 0)
        return out

    def found_in(self, text: str) -> bool:
        s = 0
        for ch in text:
            s = self.step(s, ch)
            if self.hit[s]:
                return True
        return False


# An epsilon edge: (target, kind, arg); kind "" plain, "b" a word-boundary test (arg: True for \b,
# False for \B), "alt" the entry into one alternative (arg: the alternative's id).
_Eps = tuple[int, str, int]


class _Nfa:
    """Thompson NFA of one branch; character edges carry only the representative characters (see module doc)."""

    def __init__(self, kw_chars: frozenset[str]) -> None:
        self.kw_chars = kw_chars
        self.eps: list[list[_Eps]] = []
        self.chars: list[list[tuple[str, int]]] = []
        self.n_alts = 0

    def new(self) -> int:
        self.eps.append([])
        self.chars.append([])
        return len(self.eps) - 1

    def alt_edge(self, s: int, t: int) -> None:
        self.eps[s].append((t, "alt", self.n_alts))
        self.n_alts += 1

    def reps(self, member: Callable[[str], bool], own: Sequence[str]) -> list[str]:
        """The characters a class is explored with: keyword characters it accepts, except that one
        non-keyword character of a kind (word / non-word) stands for all characters of that kind."""
        out: list[str] = []
        for word in (True, False):
            stand_in = next(
                (c for c in (*_PREFERRED, *own) if c not in self.kw_chars and _is_word(c) == word and member(c)),
                None,
            )
            if stand_in is not None:
                out.append(stand_in)
            else:
                out.extend(
                    sorted(
                        c
                        for c in self.kw_chars
                        if _is_word(c) == word and (c == " " or c not in _SPACES[1:]) and member(c)
                    )
                )
        return out

    def char_class(self, s: int, member: Callable[[str], bool], own: Sequence[str]) -> int:
        t = self.new()
        for c in self.reps(member, own):
            self.chars[s].append((c, t))
        return t

    def build(self, items: sre_p.SubPattern | list, s: int) -> int:
        for op, av in items:
            s = self.atom(op, av, s)
        return s

    def atom(self, op: object, av: object, s: int) -> int:
        if op is sre_c.LITERAL:
            t = self.new()
            self.chars[s].append((chr(av), t))  # type: ignore[arg-type]
            return t
        if op is sre_c.NOT_LITERAL:
            excluded = chr(av)  # type: ignore[arg-type]
            return self.char_class(s, lambda c: c != excluded, ())
        if op is sre_c.ANY:
            return self.char_class(s, lambda c: c != "\n", ())
        if op is sre_c.IN:
            member, own = _class_member(av)  # type: ignore[arg-type]
            return self.char_class(s, member, own)
        if op is sre_c.BRANCH:
            end = self.new()
            for alt in av[1]:  # type: ignore[index]
                a = self.new()
                self.alt_edge(s, a)
                self.eps[self.build(alt, a)].append((end, "", 0))
            return end
        if op is sre_c.SUBPATTERN:
            _group, add_flags, _del_flags, sub = av  # type: ignore[misc]
            if add_flags & (re.IGNORECASE | re.DOTALL | re.MULTILINE | re.VERBOSE):
                raise Unsupported(f"inline flags {add_flags}")
            return self.build(sub, s)
        if op is sre_c.ATOMIC_GROUP:
            return self.build(av, s)  # type: ignore[arg-type]
        if op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, sre_c.POSSESSIVE_REPEAT):
            lo, hi, sub = av  # type: ignore[misc]
            for _ in range(lo):
                s = self.build(sub, s)
            if hi == lo:
                return s
            # The first optional copy is tagged taken / skipped (unless it is a single character), so
            # both the minimum and one more repetition are reported when they open a hole.
            single = len(sub) == 1 and sub[0][0] in (sre_c.LITERAL, sre_c.NOT_LITERAL, sre_c.ANY, sre_c.IN)
            end = self.new()
            if hi == sre_c.MAXREPEAT or hi - lo > _MAX_COPIES:
                body = self.new()
                if single:
                    self.eps[s].extend(((body, "", 0), (end, "", 0)))
                else:
                    self.alt_edge(s, body)
                    self.alt_edge(s, end)
                loop = self.new()
                self.eps[self.build(sub, body)].append((loop, "", 0))
                self.eps[loop].extend(((body, "", 0), (end, "", 0)))
                return end
            for i in range(hi - lo):
                body = self.new()
                if i == 0 and not single:
                    self.alt_edge(s, body)
                    self.alt_edge(s, end)
                else:
                    self.eps[s].extend(((body, "", 0), (end, "", 0)))
                s = self.build(sub, body)
            self.eps[s].append((end, "", 0))
            return end
        if op is sre_c.AT:
            t = self.new()
            if av is sre_c.AT_BOUNDARY:
                self.eps[s].append((t, "b", True))
            elif av is sre_c.AT_NON_BOUNDARY:
                self.eps[s].append((t, "b", False))
            else:  # ^ $ \A \Z: assumed to hold, the `re` check decides
                self.eps[s].append((t, "", 0))
            return t
        if op in (sre_c.ASSERT, sre_c.ASSERT_NOT):
            return s  # lookarounds: assumed to hold, the `re` check decides
        raise Unsupported(str(op))


def _class_member(items: list) -> tuple[Callable[[str], bool], list[str]]:
    """Membership test of a `[...]` class (or a category like \\w) and the characters it names."""
    negate = False
    tests: list[Callable[[str], bool]] = []
    own: list[str] = []
    for op, av in items:
        if op is sre_c.NEGATE:
            negate = True
        elif op is sre_c.LITERAL:
            ch = chr(av)
            own.append(ch)
            tests.append(lambda c, x=ch: c == x)
        elif op is sre_c.RANGE:
            own.extend((chr(av[0]), chr(av[1])))
            tests.append(lambda c, lo=av[0], hi=av[1]: lo <= ord(c) <= hi)
        elif op is sre_c.CATEGORY:
            tests.append(_CATEGORIES[av])
        else:
            raise Unsupported(f"class item {op}")

    def member(c: str) -> bool:
        return any(t(c) for t in tests) != negate

    return member, own


_CATEGORIES: dict[object, Callable[[str], bool]] = {
    sre_c.CATEGORY_DIGIT: str.isdecimal,
    sre_c.CATEGORY_NOT_DIGIT: lambda c: not c.isdecimal(),
    sre_c.CATEGORY_SPACE: lambda c: c in _SPACES or c.isspace(),
    sre_c.CATEGORY_NOT_SPACE: lambda c: not (c in _SPACES or c.isspace()),
    sre_c.CATEGORY_WORD: _is_word,
    sre_c.CATEGORY_NOT_WORD: lambda c: not _is_word(c),
}

# A search state: (NFA state, keyword automaton state, previous character is a word character, what the
# next character must be: 0 anything, 1 a word character, 2 a non-word character or the end).
_State = tuple[int, int, bool, int]


def _keyword_free_matches(branch: str, keywords: Sequence[str]) -> list[str]:
    """Shortest strings the branch (assertions aside) matches without containing a keyword: one overall
    and one through each alternative / optional group that can be part of such a match."""
    return _search(sre_p.parse(branch), keywords)


def _search(tree: sre_p.SubPattern, keywords: Sequence[str]) -> list[str]:
    kw = _Keywords(keywords)
    nfa = _Nfa(kw.chars)
    start = nfa.new()
    final = nfa.build(tree, start)

    def successors(st: _State) -> Iterator[tuple[_State, str, int]]:
        q, a, prev_word, need = st
        for t, kind, arg in nfa.eps[q]:
            if kind == "b":
                want = (2 if prev_word else 1) if arg else (1 if prev_word else 2)
                if need and need != want:
                    continue
                yield (t, a, prev_word, want), "", -1
            else:
                yield (t, a, prev_word, need), "", arg if kind == "alt" else -1
        for ch, t in nfa.chars[q]:
            word = _is_word(ch)
            if (need == 1 and not word) or (need == 2 and word):
                continue
            a2 = kw.step(a, ch)
            if not kw.hit[a2]:
                yield (t, a2, word, 0), ch, -1

    # Forward: shortest prefix to every reachable state (0-1 BFS: epsilon edges cost nothing).
    s0: _State = (start, 0, False, 0)
    came: dict[_State, tuple[_State, str] | None] = {s0: None}
    dist = {s0: 0}
    back: dict[_State, list[tuple[_State, str]]] = {}
    alt_edges: list[tuple[int, _State, _State]] = []
    queue: deque[_State] = deque([s0])
    done: set[_State] = set()
    while queue:
        st = queue.popleft()
        if st in done:
            continue
        done.add(st)
        for nxt, ch, alt in successors(st):
            back.setdefault(nxt, []).append((st, ch))
            if alt >= 0:
                alt_edges.append((alt, st, nxt))
            d = dist[st] + len(ch)
            if d < dist.get(nxt, 1 << 30):
                dist[nxt] = d
                came[nxt] = (st, ch)
                if ch:
                    queue.append(nxt)
                else:
                    queue.appendleft(nxt)
    # Backward: shortest suffix from every state that can still finish a match.
    togo: dict[_State, int] = {}
    then: dict[_State, tuple[_State, str] | None] = {}
    queue = deque()
    for st in done:
        if st[0] == final and st[3] != 1:
            togo[st] = 0
            then[st] = None
            queue.append(st)
    finished: set[_State] = set()
    while queue:
        st = queue.popleft()
        if st in finished:
            continue
        finished.add(st)
        for prev, ch in back.get(st, ()):
            d = togo[st] + len(ch)
            if d < togo.get(prev, 1 << 30):
                togo[prev] = d
                then[prev] = (st, ch)
                if ch:
                    queue.append(prev)
                else:
                    queue.appendleft(prev)

    def chars(links: dict[_State, tuple[_State, str] | None], st: _State) -> list[str]:
        """The characters along a recorded path from `st` to its seed (forward: start; backward: final)."""
        out: list[str] = []
        step = links[st]
        while step is not None:
            st, ch = step
            out.append(ch)
            step = links[st]
        return out

    def prefix(st: _State) -> str:
        return "".join(reversed(chars(came, st)))

    def suffix(st: _State) -> str:
        return "".join(chars(then, st))

    found: list[str] = []
    if s0 in togo:
        found.append(suffix(s0))
    best: dict[int, tuple[int, _State, _State]] = {}
    for alt, st, nxt in alt_edges:
        if nxt in togo:
            cost = dist[st] + togo[nxt]
            if alt not in best or cost < best[alt][0]:
                best[alt] = (cost, st, nxt)
    for alt in sorted(best):
        _, st, nxt = best[alt]
        found.append(prefix(st) + suffix(nxt))
    return list(dict.fromkeys(found))


def _lookarounds(items: sre_p.SubPattern | list) -> Iterator[tuple[int, sre_p.SubPattern]]:
    """(direction, body) of every lookaround in a parse tree: 1 lookahead, -1 lookbehind."""
    for op, av in items:
        if op in (sre_c.ASSERT, sre_c.ASSERT_NOT):
            if op is sre_c.ASSERT:
                yield av[0], av[1]
            yield from _lookarounds(av[1])
        elif op is sre_c.BRANCH:
            for alt in av[1]:
                yield from _lookarounds(alt)
        elif op is sre_c.SUBPATTERN:
            yield from _lookarounds(av[3])
        elif op is sre_c.ATOMIC_GROUP:
            yield from _lookarounds(av)
        elif op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, sre_c.POSSESSIVE_REPEAT):
            yield from _lookarounds(av[2])


def _contexts(branch: str) -> list[tuple[str, str]]:
    """(before, after) texts to put around a sample: spaces (for \\b), nothing (for anchors), and the
    shortest text each positive lookbehind / lookahead of the branch wants to see."""
    before, after = [" ", ""], [" ", ""]
    for direction, body in _lookarounds(sre_p.parse(branch)):
        try:
            found = _search(body, ())
        except Unsupported:
            continue
        if found:  # alone, or apart from the sample (a \b may stand between them)
            if direction < 0:
                before.extend((found[0], found[0] + " "))
            else:
                after.extend((found[0], " " + found[0]))
    return [(b, a) for b in dict.fromkeys(before) for a in dict.fromkeys(after)]


def _confirmed(sig: Signal, branch: str, sample: str) -> str | None:
    """The text `sig.regex` matches around the sample if that match holds no keyword (a hole), else None."""
    kw = _Keywords(sig.keywords)
    for before, after in _contexts(branch):
        text = before + sample + after
        if re.search(branch, text) is None:
            continue
        m = sig.regex.search(text)
        if m is not None and m.group() and not kw.found_in(m.group()):
            return m.group()
    return None


def signal_holes(sig: Signal) -> list[tuple[int, str, str]]:
    """(branch index, sample, matched text) for every confirmed keyword-free match; [] without keywords."""
    if not sig.keywords:
        return []  # always runs: nothing to cover
    out: list[tuple[int, str, str]] = []
    for b, branch in enumerate(sig.branches):
        for sample in _keyword_free_matches(branch, sig.keywords):
            matched = _confirmed(sig, branch, sample)
            if matched is not None:
                out.append((b, sample, matched))
    return out


def _rules_signals(text: str) -> tuple[Signal, ...]:
    return parse_rules(text, RULES).signals


_MINI = """format: 1
categories:
  scam_suspicion: {{bias: -2}}
  off_platform_payment: {{bias: -2}}
signals:
  - name: s1
    category: scam_suspicion
    weight: 1
    keywords: {keywords}
    patterns: {patterns}
"""


def _holes(keywords: str, patterns: str) -> list[tuple[int, str, str]]:
    (sig,) = _rules_signals(_MINI.format(keywords=keywords, patterns=patterns))
    return signal_holes(sig)


@pytest.mark.parametrize(
    ("keywords", "patterns", "expected"),
    [
        # The three holes labelled tickets hit this session: the search finds each from the rule alone.
        ("[avaliacoes]", r"['\bnenhuma avaliac(?:ao|oes)\b']", {"nenhuma avaliacao"}),
        (
            "[his account]",
            r"['\blog(?:ged)? in(?:to)? his (?:freelancer )?account\b']",
            {"log in his freelancer account", "logged in his freelancer account", "log into his freelancer account"},
        ),
        ("[nothing ever, nothing arrived]", r"['\bnothing (?:ever |has )?arrived\b']", {"nothing has arrived"}),
        # An optional space the keyword does not allow for.
        ("[whatsapp, wa]", r"['\b(?:wa|whats ?app)\b']", {"whats app"}),
        # A gap: with a space it would read "paid via", but any other separator opens the hole.
        ("[paid via]", r"['\bpaid\b[^.!?\n]{0,20}\bvia (?:zelle|venmo)\b']", {"paid-via zelle", "paid-via venmo"}),
        # What a lookahead reads is not part of the match: "in wire" alone must hold a keyword.
        ("[wire app]", r"['\bin wire\b(?=[^.!?\n]{0,40}\bapp\b)']", {"in wire"}),
    ],
)
def test_search_finds_holes(keywords: str, patterns: str, expected: set[str]) -> None:
    assert {m for _, _, m in _holes(keywords, patterns)} == expected


@pytest.mark.parametrize(
    ("keywords", "patterns"),
    [
        ("[avaliac]", r"['\bnenhuma avaliac(?:ao|oes)\b']"),
        ("[log, sign in]", r"['\b(?:log(?:ged)? in(?:to)?|sign in) his (?:freelancer )?account\b']"),
        ("[nothing]", r"['\bnothing (?:ever |has )?arrived\b']"),
        ("[whats, wa]", r"['\b(?:wa|whats ?app)\b']"),
        ("[via]", r"['\bpaid\b[^.!?\n]{0,20}\bvia (?:zelle|venmo)\b']"),
        ("[paid]", r"['(?<!not )\bpaid\b(?! back)', '\bpaid\W{0,3}\w+']"),
        ("[]", r"['anything']"),  # no keywords: the signal always runs
    ],
)
def test_search_accepts_covered_patterns(keywords: str, patterns: str) -> None:
    assert _holes(keywords, patterns) == []


def test_search_refuses_what_it_cannot_model() -> None:
    with pytest.raises(Unsupported):
        _holes("[x]", r"['(a)x\1']")


def test_keyword_automaton() -> None:
    kw = _Keywords(["he", "she", "hers", "his account"])
    assert kw.found_in("ushers") and kw.found_in("log in his account")
    assert not kw.found_in("his freelancer account") and not kw.found_in("")


def test_every_match_contains_a_keyword() -> None:
    """The contract of the pure-`re` prefilter, over every branch of every signal in config/rules.yaml."""
    signals = _rules_signals(RULES.read_text(encoding="utf-8"))
    lines: list[str] = []
    unsupported: list[str] = []
    branches: set[tuple[str, int]] = set()
    for sig in signals:
        try:
            holes = signal_holes(sig)
        except Unsupported as exc:
            unsupported.append(f"{sig.name}: {exc}")
            continue
        for b, sample, matched in holes:
            branch = sig.branches[b]
            shown = branch if len(branch) <= 90 else branch[:87] + "..."
            lines.append(f"{sig.name} branch {b} {shown!r}: sample {sample!r} matches {matched!r}")
            branches.add((sig.name, b))
    assert not unsupported, "constructs the keyword search cannot model:\n" + "\n".join(unsupported)
    assert not lines, (
        f"{len(lines)} matches without any of their signal's keywords, in {len(branches)} branches of "
        f"{len({name for name, _ in branches})} signals (the pure-re engine misses them; add keywords that "
        "every such match contains):\n" + "\n".join(lines)
    )
