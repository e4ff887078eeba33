"""Commands laid out for a width (:mod:`vpclint.emitters.command_layout`): examples, and properties checked with a
real shell as the reference — the laid-out lines pass a stub ``aws`` exactly the arguments ``shlex`` reads in the
one-line command (a JSON value by its value), and only a token longer than a line overflows it."""

from __future__ import annotations

import json
import shlex

from hypothesis import HealthCheck, given, settings, strategies as st

from shell_check import SHELLS, shell_argv
from vpclint.emitters.command_layout import CONTINUE, VALUE_INDENT, command_lines, json_units, quoted_json, shell_words

CALLER_INDENT = "    "
"""What the console puts before the lines after a command's first."""


def _pasted(lines: list[str]) -> str:
    return "\n".join([lines[0], *(CALLER_INDENT + line for line in lines[1:])])


def _value(word: str) -> object:
    return json.loads(word) if quoted_json(f"'{word}'") is not None else word


def test_a_command_that_fits_is_left_alone():
    assert command_lines("aws ec2 x --a 1 --b 2", 40) == ["aws ec2 x --a 1 --b 2"]
    assert command_lines("aws ec2 do-something --alpha 1 --beta 2 --gamma 3", 30) == [
        "aws ec2 do-something \\", "--alpha 1 --beta 2 --gamma 3"]


def test_a_long_option_continues_its_values_further_in():
    lines = command_lines("aws ec2 create-vpc-endpoint --region r --subnet-ids subnet-a subnet-b subnet-c --security-group-ids sg-1", 36)
    assert lines == ["aws ec2 create-vpc-endpoint \\", "--region r \\", "--subnet-ids subnet-a subnet-b \\",
                     VALUE_INDENT + "subnet-c \\", "--security-group-ids sg-1"]
    lines = command_lines("aws ec2 create-dhcp-options --dhcp-configurations Key=domain-name-servers,Values=AmazonProvidedDNS", 60)
    assert lines == ["aws ec2 create-dhcp-options \\", "--dhcp-configurations \\",
                     VALUE_INDENT + "Key=domain-name-servers,Values=AmazonProvidedDNS"]


def test_a_quoted_value_with_spaces_stays_one_word():
    lines = command_lines("aws ec2 create-security-group --description 'HTTPS from the workload subnets' --group-name g", 30)
    assert f"{VALUE_INDENT}'HTTPS from the workload subnets' \\" in lines


def test_a_json_value_breaks_between_members_inside_its_quotes():
    command = ("aws ec2 authorize-security-group-ingress --group-id sg-1 --ip-permissions "
               "'[{\"IpProtocol\":\"tcp\",\"FromPort\":443,\"ToPort\":443,\"IpRanges\":[{\"CidrIp\":\"10.0.1.0/24\"},"
               "{\"CidrIp\":\"10.0.2.0/24\"}]}]'")
    assert command_lines(command, 60) == [
        "aws ec2 authorize-security-group-ingress --group-id sg-1 \\",
        "--ip-permissions '[{\"IpProtocol\": \"tcp\", \"FromPort\": 443,",
        "  \"ToPort\": 443, \"IpRanges\": [{\"CidrIp\": \"10.0.1.0/24\"},",
        "  {\"CidrIp\": \"10.0.2.0/24\"}]}]'",
    ]


def test_only_a_whole_json_document_in_single_quotes_is_laid_out():
    assert quoted_json("'[1, 2]'") == [1, 2] and quoted_json("'{\"a\": {}}'") == {"a": {}}
    for word in ("[1,2]", "'[1,2]", "'\"a\"'", "'[1,'", "'[NaN]'", "'{\"a\":1}x'", "'{}' '{}'"):
        assert quoted_json(word) is None, word
    assert shell_words("a 'b c' \"d \\\" e\" f\\ g  h") == ["a", "'b c'", "\"d \\\" e\"", "f\\ g", "h"]


def test_a_laid_out_json_value_decodes_no_escape_into_the_terminal():
    command = "aws route53 x --change-batch '" + json.dumps({"Comment": "\x1b[31m\u202e\u00e9 " * 6}) + "'"
    lines = command_lines(command, 40)
    assert len(lines) > 2 and all(line.isascii() and line.isprintable() for line in lines)
    assert "\\u001b[31m\\u202e\\u00e9" in "".join(lines)


_TEXT = st.text(st.sampled_from("abcxyz019-_./:=, "), min_size=1, max_size=24)
_PLAIN = st.text(st.sampled_from("abcxyz019-_./:=,"), min_size=1, max_size=30)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | _TEXT | st.text(max_size=8).filter(lambda s: "'" not in s),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_PLAIN, inner, max_size=4),
    max_leaves=12,
)
_WORD = st.one_of(
    _PLAIN,
    _TEXT.map(lambda s: f"'{s}'"),
    _TEXT.map(lambda s: f'"{s}"'),
    st.just('"$sg"'),
    st.text(st.sampled_from("abcdef0123456789-"), min_size=50, max_size=120),
    (st.lists(_JSON, max_size=5) | st.dictionaries(_PLAIN, _JSON, max_size=5)).map(
        lambda v: "'" + json.dumps(v, separators=(",", ":"), ensure_ascii=False) + "'"),
)
_COMMANDS = st.lists(st.tuples(st.text(st.sampled_from("abcdefgh-"), min_size=1, max_size=20), st.lists(_WORD, max_size=5)),
                     max_size=6).map(lambda groups: " ".join(["aws ec2 do-something-long", *(
                         " ".join([f"--{name}", *words]) for name, words in groups)]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(command=_COMMANDS, width=st.integers(20, 120))
def test_laid_out_commands_pass_the_same_arguments_and_fit(command: str, width: int) -> None:
    lines = command_lines(command, width)
    expected = [_value(w) for w in shlex.split(command.replace('"$sg"', "ID"))[1:]]
    for shell in SHELLS:
        (argv,) = shell_argv(shell, "sg=ID\n" + _pasted(lines))
        assert [_value(w) for w in argv] == expected, (shell, lines)
    if len(command) <= width:
        assert lines == [command]
    for line in lines:
        token = line.removesuffix(CONTINUE).strip()
        assert len(line) <= width or (len(shell_words(token)) == 1 and len(token) > width - len(CONTINUE) - len(VALUE_INDENT)), lines


@given(_JSON)
def test_json_units_read_as_the_document(value: object) -> None:
    units = json_units(value)
    assert " ".join(" ".join(unit) for unit in units) == json.dumps(value)
    assert all(units) and all(piece for unit in units for piece in unit)
