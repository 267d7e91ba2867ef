#!/usr/bin/env bats
# JSON output always parses and loses nothing: bytes that are not valid UTF-8
# are written as \udcXX (surrogateescape), and integers from 2^53 on, which jq
# and JavaScript round, also come as KEY_hex strings.
load helpers
load session-helpers

setup() {
	session_setup
	require_tool jq jq
	require_tool python3 python3
	random_file "$W/blob" 3000
}

# bytes KEY...: the JSON string at that path of stdin, back to its exact bytes.
bytes() {
	python3 -c 'import json, sys
v = json.load(sys.stdin)
for k in sys.argv[1:]:
    v = v[int(k) if k.isdigit() else k]
sys.stdout.buffer.write(v.encode("utf-8", "surrogateescape"))' "$@"
}

@test "--json: a session name and a path that are not UTF-8 parse, and come back byte for byte" {
	# A stray byte and a sequence cut short; an overlong "/" in the path.
	local name path
	name=$(printf 'db\377\303')
	path=$W/$(printf 'f\300\257x')
	cp "$W/blob" "$path"
	for k in $KERNELS; do
		run --separate-stderr boot "$k" "$LUOCTL" --json create "$name" --file "$path:1" -- true
		assert_success
		assert_output --partial '"name":"db\udcff\udcc3"'
		assert_output --partial "\"path\":\"$W/f\\udcc0\\udcafx\""
		printf '%s' "$output" >"$W/out.json"
		run -0 jq -e '.session.name and .preserved[0].path' "$W/out.json"
		run -0 bytes session name <"$W/out.json"
		assert_equal "$output" "$name"
		run -0 bytes preserved 0 path <"$W/out.json"
		assert_equal "$output" "$path"
	done
}

@test "--json: tokens from 2^53 on also come as token_hex, in create, retrieve and finish" {
	local t1=9007199254740991 t2=9007199254740992 t3=18446744073709551615
	for k in $KERNELS; do
		run --separate-stderr boot "$k" "$LUOCTL" --json create db \
			--file "$W/blob:$t1" --file "$W/blob:$t2" --file "$W/blob:$t3" -- "$LUOSIM_BIN" kexec
		assert_failure 99
		assert_output --partial '{"token":18446744073709551615,"token_hex":"0xffffffffffffffff",'
		# jq 1.6 reads numbers as doubles (t3 comes out 18446744073709552000):
		# the hex strings are what is exact.
		run -0 jq -c '[.preserved[] | .token_hex]' <<<"$output"
		assert_output '[null,"0x20000000000000","0xffffffffffffffff"]'
		run --separate-stderr boot "$k" "$LUOCTL" --json retrieve db \
			--fd "$t1:5" --fd "$t2:6" --fd "$t3:7" -- "$LUOCTL" --json finish db
		assert_success
		run -0 jq -c '.retrieved // .retrieved_tokens_hex | if type == "array" then [.[] | if type == "object" then .token_hex else . end] else . end' <<<"$output"
		assert_line --index 0 '[null,"0x20000000000000","0xffffffffffffffff"]'
		assert_line --index 1 '["0x1fffffffffffff","0x20000000000000","0xffffffffffffffff"]'
	done
}
