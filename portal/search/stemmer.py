"""Sastrawi's stemmer, made fast for words it has not seen, with the same stems.

Sastrawi (PySastrawi) spends a cold stem mostly on two things: about 40 prefix rules tried per word and
pass, nearly all of which cannot apply, and regular expressions passed as strings, among them every
intermediate word, which flood re's cache of 512 compiled patterns so that the rule patterns are compiled
again and again. `create()` returns Sastrawi's own Stemmer and dictionary with (1) compiled patterns in
its modules and (2) a prefix loop that skips a rule when the word cannot match the pattern the rule needs
(such a visit changes nothing). tests/search/test_analysis.py compares the stems with an untouched
Sastrawi in a fresh interpreter.
"""

from __future__ import annotations

import re


class _CompiledPatterns:
    """`re` as Sastrawi's modules use it (`re.match(pattern, word)`, `re.sub(pattern, "", word, count=1)`),
    with each pattern compiled once.

    Sastrawi passes pattern strings on every call, and also uses each intermediate word as a pattern
    (`re.sub(result, "", word, count=1)`): those words fill re's own cache of 512 patterns, which then
    evicts and recompiles its ~80 rule patterns again and again (half of a cold stem's time). Here a
    rule pattern stays compiled, and a word of ASCII letters (no regex syntax) is removed with
    str.replace, which is what re.sub does with such a pattern: the stems are the same, only faster.
    """

    def __init__(self) -> None:
        self._plain: dict[str, re.Pattern] = {}  # patterns without flags, as Sastrawi's rules pass them
        self._flagged: dict[tuple[str, int], re.Pattern] = {}

    def _compiled(self, pattern: str, flags: int) -> re.Pattern:
        if not flags:
            compiled = self._plain.get(pattern)
            if compiled is None:
                compiled = self._plain[pattern] = re.compile(pattern)
            return compiled
        key = (pattern, int(flags))
        compiled = self._flagged.get(key)
        if compiled is None:
            compiled = self._flagged[key] = re.compile(pattern, flags)
        return compiled

    def match(self, pattern, string, flags=0):
        return self._compiled(pattern, flags).match(string)

    def sub(self, pattern, repl, string, count=0, flags=0):
        if not flags and repl == "" and type(pattern) is str and pattern.isascii() and pattern.isalpha():
            return string.replace(pattern, "", count or -1)  # a word: letters only, no regex syntax
        # the few suffix rules, and words with a hyphen: re's own (bounded) cache, no longer flooded
        return re.sub(pattern, repl, string, count=count, flags=flags)

    def __getattr__(self, name):  # flags and anything else: re's own
        return getattr(re, name)


def _compile_sastrawi_patterns() -> None:
    """Give every Sastrawi module that imported `re` the compiled-pattern version (see above)."""
    import sys

    patterns = _CompiledPatterns()
    for name, module in list(sys.modules.items()):
        if name.startswith("Sastrawi.") and getattr(module, "re", None) is re:
            module.re = patterns


def _first_match(disambiguator) -> str | None:
    """The pattern that must match the word for this Sastrawi rule to give anything, when its
    `disambiguate` has the shape `m = re.match(PATTERN, word)` then `if m: ...` and nothing else;
    None otherwise (such a rule is always run)."""
    import ast
    import inspect
    import textwrap

    try:
        function = ast.parse(textwrap.dedent(inspect.getsource(type(disambiguator).disambiguate))).body[0]
    except (OSError, TypeError, SyntaxError):
        return None
    body = [s for s in function.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    if len(body) != 2 or not isinstance(body[0], ast.Assign) or len(body[0].targets) != 1:
        return None
    first, then = body
    call, target = first.value, first.targets[0]
    if not (isinstance(call, ast.Call) and ast.unparse(call.func) == "re.match" and len(call.args) == 2
            and not call.keywords and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str)
            and ast.unparse(call.args[1]) == function.args.args[1].arg and isinstance(target, ast.Name)):
        return None
    if not (isinstance(then, ast.If) and isinstance(then.test, ast.Name) and then.test.id == target.id
            and not then.orelse):
        return None
    return call.args[0].value


def _first_letters(pattern: str) -> frozenset[str] | None:
    """The letters a word matched by `pattern` (re.match) can start with, for simple rule patterns
    (`^ber(...)`, `^([bcd...])...`); None when the pattern is not that simple (any start, then)."""
    rest = pattern[1:] if pattern.startswith("^") else pattern
    rest = rest.lstrip("(")  # a group opened at the start does not change what comes first
    if "|" in pattern or rest.startswith("?"):
        return None
    if rest[:1].isascii() and rest[:1].isalpha():
        letters, after = rest[0], rest[1:2]
    elif rest.startswith("["):
        body, _, tail = rest[1:].partition("]")
        if body == "a-z":
            body = "abcdefghijklmnopqrstuvwxyz"
        if not (body.isascii() and body.isalpha()):
            return None
        letters, after = body, tail[:1]
    else:
        return None
    if after in ("?", "*", "{"):  # the first letter may be absent
        return None
    return frozenset(letters)


class _GuardedPrefixRule:
    """A Sastrawi prefix-rule visitor with the patterns one of which the word must match for any of its
    rules to give a result; when none matches, visiting it changes nothing (each rule returns None,
    and the visitor then leaves the context as it was)."""

    __slots__ = ("visitor", "could_apply", "first_letters")

    def __init__(self, visitor, patterns: list[str]) -> None:
        self.visitor = visitor
        self.could_apply = re.compile("|".join(f"(?:{pattern})" for pattern in patterns)).match
        starts = [_first_letters(pattern) for pattern in patterns]
        self.first_letters = frozenset().union(*starts) if all(start is not None for start in starts) else None

    def visit(self, context) -> None:
        if self.could_apply(context.current_word) is not None:
            self.visitor.visit(context)


def _guard_prefix_rules(provider) -> dict[str, list]:
    """Wrap each prefix visitor whose every rule has a pattern it needs (see `_first_match`); the
    visitors that may apply to a word, by its first letter."""
    visitors = provider.prefix_visitors
    for position, visitor in enumerate(visitors):
        rules = getattr(visitor, "disambiguators", None)
        if not rules:
            continue
        patterns = [_first_match(rule) for rule in rules]
        if all(patterns):
            visitors[position] = _GuardedPrefixRule(visitor, patterns)
    letters = {letter for visitor in visitors for letter in (getattr(visitor, "first_letters", None) or ())}
    return {letter: [visitor for visitor in visitors if type(visitor) is not _GuardedPrefixRule
                     or visitor.first_letters is None or letter in visitor.first_letters]
            for letter in letters | set("abcdefghijklmnopqrstuvwxyz")}


def _fast_stemmer(dictionary):
    """Sastrawi's Stemmer whose prefix loop skips the rules that cannot apply to the word.

    About 40 prefix rules are tried per word and pass, and nearly all of a cold stem's time went into
    visiting rules whose pattern does not match. Skipping such a visit (and its checks, which would see
    the state the last check saw) gives the same stem; a test compares both on the corpora's words.
    A visit that changes the word records a removal, which ends the loop, so the word's first letter
    (which picks the rules worth trying) holds for the whole loop.
    """
    from Sastrawi.Stemmer.Context.Context import Context
    from Sastrawi.Stemmer.Stemmer import Stemmer

    class SkippingContext(Context):
        def accept_prefix_visitors(self, visitors):
            removals = len(self.removals)
            contains = self.dictionary.contains
            if visitors is self.visitor_provider.prefix_visitors:
                worth = by_letter.get(self.current_word[:1]) or steps(visitors)
            else:  # pragma: no cover - Sastrawi passes its prefix visitors
                worth = steps(visitors)
            could_apply = worth[0][0] if worth else None
            if could_apply is not None and could_apply(self.current_word) is None:
                # the first visit is skipped, not the checks after it (later ones would repeat them)
                if contains(self.current_word) or self.process_is_stopped:
                    return self.current_word
            for could_apply, visit in worth:
                if could_apply is not None and could_apply(self.current_word) is None:
                    continue  # a visit would change nothing, and the checks would repeat
                visit(self)
                if contains(self.current_word) or self.process_is_stopped:
                    return self.current_word
                if len(self.removals) > removals:
                    return None
            return None

    class SkippingStemmer(Stemmer):
        def stem_singular_word(self, word):
            context = SkippingContext(word, self.dictionary, self.visitor_provider)
            context.execute()
            return context.result

    def steps(visitors) -> list[tuple]:
        """(could_apply or None, visit) of each visitor, in order."""
        return [(visitor.could_apply, visitor.visitor.visit) if type(visitor) is _GuardedPrefixRule
                else (None, visitor.visit) for visitor in visitors]

    stemmer = SkippingStemmer(dictionary)
    every = stemmer.visitor_provider.prefix_visitors
    by_letter = {letter: steps(visitors) for letter, visitors in _guard_prefix_rules(stemmer.visitor_provider).items()}
    if every and type(every[0]) is _GuardedPrefixRule:  # pragma: no cover - Sastrawi's first is the plain prefix
        by_letter = {}  # the shortcut above assumes the first visitor is always worth trying
    return stemmer


def create():
    """Sastrawi's Stemmer (its dictionary, its rules), skipping the prefix rules that cannot apply."""
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    dictionary = StemmerFactory().create_stemmer().delegatedStemmer.dictionary
    _compile_sastrawi_patterns()  # every rule module is imported by now (the factory builds them all)
    return _fast_stemmer(dictionary)
