# drainit plan: the pre-stop delay, the drain timeout and the grace period
# from the probe, the load balancer and the longest request. Its output in
# each format is pinned by the golden files (checked by hand against
# plan_compute's formulas), the JSON and the YAML parse and agree with the
# text, bad input is refused with one line and exit 64, and the help names
# every option. No PID namespace: plan starts nothing.

PL_GOLDEN=$TOP/tests/integration/golden

# The story: the default probe (10s x 3, 1s timeout), a load balancer health
# check of 10s x 3, the slowest request 51s.
PL_STORY=(--longest-request 51s --lb-interval 10s --lb-failures 3)
# A measured lag, a one-failure 2s probe, and both results rounded up.
PL_LAG=(--longest-request 51.5s --lb-lag 800ms --probe-period 2s --probe-failures 1 --app-shutdown 2s)

PL_OPTIONS=(--longest-request --app-shutdown --probe-period --probe-failures --probe-timeout
	--lb-interval --lb-failures --lb-lag --margin --format --help)

# pl_run ARGS...: `drainit plan ARGS`; stdout in $T/out, stderr in $T/log,
# exit status in RC.
pl_run() {
	timeout -s KILL 20 "$DRAINIT" plan "$@" >"$T/out" 2>"$T/log" </dev/null
	RC=$?
}

# pl_ok ARGS...: pl_run, which must exit 0 with nothing on stderr.
pl_ok() {
	pl_run "$@"
	[ "$RC" = 0 ] || fail "drainit plan $*: exit status $RC: $(cat "$T/log")"
	[ ! -s "$T/log" ] || fail "drainit plan $* wrote to stderr: $(cat "$T/log")"
	[ -s "$T/out" ] || fail "drainit plan $* printed nothing"
}

# pl_golden NAME ARGS...: each format's stdout is golden/NAME.{txt,yaml,json},
# byte for byte; a plain run is the text format.
pl_golden() {
	local name=$1 f ext; shift
	for f in text yaml json; do
		ext=$f; [ "$f" = text ] && ext=txt
		[ -f "$PL_GOLDEN/$name.$ext" ] || fail "no golden file $name.$ext"
		pl_ok "$@" --format "$f"
		diff -u "$PL_GOLDEN/$name.$ext" "$T/out" >"$T/diff" ||
			fail "drainit plan $* --format $f differs from golden/$name.$ext:
$(cat "$T/diff")"
		# --format=F is the same thing
		pl_ok "$@" "--format=$f"
		cmp -s "$PL_GOLDEN/$name.$ext" "$T/out" || fail "--format=$f differs from --format $f"
	done
	pl_ok "$@"
	diff -u "$PL_GOLDEN/$name.txt" "$T/out" >"$T/diff" ||
		fail "drainit plan $* (no --format) differs from golden/$name.txt:
$(cat "$T/diff")"
}

test_plan_golden_story() {
	pl_golden plan-story "${PL_STORY[@]}"
}

test_plan_golden_lag_and_rounding() {
	pl_golden plan-lag "${PL_LAG[@]}"
}

# pl_text_numbers: the pre-stop delay, drain timeout and grace period at the
# head of the text form in $T/out, as "DELAY DRAIN GRACE".
pl_text_numbers() {
	local delay drain grace
	delay=$(sed -n 's/^pre-stop delay  *\([0-9]*s\)$/\1/p' "$T/out")
	drain=$(sed -n 's/^drain timeout  *\([0-9]*s\)$/\1/p' "$T/out")
	grace=$(sed -n 's/^terminationGracePeriodSeconds  *\([0-9]*\)$/\1/p' "$T/out")
	[ -n "$delay" ] && [ -n "$drain" ] && [ -n "$grace" ] || fail "text form lacks its numbers: $(cat "$T/out")"
	echo "$delay $drain $grace"
}

# pl_text_why: the text form's explanation lines in $T/out, unindented.
pl_text_why() {
	awk '/^Why, /{on=1; next} on && /^$/{exit} on {sub(/^  /, ""); print}' "$T/out"
}

# pl_text_case story|lag: sets args to the case's arguments, runs the text
# form, sets numbers ("DELAY DRAIN GRACE") and writes its lines to
# $T/why.txt; $T/out keeps the text form.
pl_text_case() {
	if [ "$1" = story ]; then args=("${PL_STORY[@]}"); else args=("${PL_LAG[@]}"); fi
	pl_ok "${args[@]}"
	numbers=$(pl_text_numbers)
	pl_text_why >"$T/why.txt"
}

test_plan_json_parses_and_agrees_with_text() {
	command -v python3 >/dev/null || skip "python3 not found"
	local args name numbers
	for name in story lag; do
		pl_text_case $name
		pl_ok "${args[@]}" --format json
		python3 -m json.tool "$T/out" >/dev/null 2>"$T/json.err" ||
			fail "$name: JSON does not parse: $(cat "$T/json.err")
$(cat "$T/out")"
		python3 - "$T/out" "$T/why.txt" $numbers <<'EOF' || fail "$name: JSON disagrees with the text form: $(cat "$T/out")"
import json, sys
j = json.load(open(sys.argv[1]))
why = open(sys.argv[2]).read().splitlines()
delay, drain, grace = sys.argv[3], sys.argv[4], int(sys.argv[5])
def check(what, got, want):
    if got != want:
        sys.exit("%s: %r, the text says %r" % (what, got, want))
check("pre_stop_delay", j["pre_stop_delay"], delay)
check("drain_timeout", j["drain_timeout"], drain)
check("termination_grace_period_seconds", j["termination_grace_period_seconds"], grace)
check("pre_stop_delay_ms", j["pre_stop_delay_ms"], int(delay[:-1]) * 1000)
check("drain_timeout_ms", j["drain_timeout_ms"], int(drain[:-1]) * 1000)
# the delay is the last removal plus the margin, rounded up to a second
inp = j["input"]
last = j["last_out_ms"]
check("delay from last_out_ms", j["pre_stop_delay_ms"], -(-(last + inp["margin_ms"]) // 1000) * 1000)
check("drain from input", j["drain_timeout_ms"],
      -(-(inp["longest_request_ms"] + inp["app_shutdown_ms"] + inp["margin_ms"]) // 1000) * 1000)
check("grace", grace, (j["pre_stop_delay_ms"] + j["drain_timeout_ms"]) // 1000 + 2)
outs = [j["kubernetes_out_ms"][1]]
if j["load_balancer_out_ms"] is not None:
    outs.append(j["load_balancer_out_ms"][1])
if j["lag_out_ms"] is not None:
    outs.append(j["lag_out_ms"])
check("last_out_ms", last, max(outs))
check("why", j["why"], why)
EOF
	done
	# the values themselves, for the story
	pl_ok "${PL_STORY[@]}" --format json
	python3 - "$T/out" <<'EOF' || fail "story JSON values"
import json, sys
j = json.load(open(sys.argv[1]))
want = {
    "pre_stop_delay": "36s", "drain_timeout": "56s", "termination_grace_period_seconds": 94,
    "pre_stop_delay_ms": 36000, "drain_timeout_ms": 56000,
    "kubernetes_out_ms": [20000, 31000], "load_balancer_out_ms": [20000, 30000],
    "out_of_phase_ms": 10000, "lag_out_ms": None, "last_out_ms": 31000,
}
for k, v in want.items():
    if j[k] != v:
        sys.exit("%s: %r, expected %r" % (k, j[k], v))
if j["input"]["lb_lag_ms"] is not None or j["input"]["lb_failures"] != 3:
    sys.exit("input: %r" % j["input"])
EOF
}

test_plan_yaml_parses_and_agrees_with_text() {
	command -v python3 >/dev/null || skip "python3 not found"
	python3 -c 'import yaml' 2>/dev/null || skip "python3 has no yaml module (PyYAML)"
	local args name numbers
	for name in story lag; do
		pl_text_case $name
		# the snippet in the text form, unindented, is the YAML's
		awk '/^Kubernetes, in the pod template/{on=1; getline; next} on {sub(/^  /, ""); print}' \
			"$T/out" >"$T/snippet.txt"
		pl_ok "${args[@]}" --format yaml
		python3 - "$T/out" "$T/why.txt" "$T/snippet.txt" $numbers "${args[@]}" <<'EOF' ||
import sys, yaml
text = open(sys.argv[1]).read()
why = open(sys.argv[2]).read().splitlines()
snippet = open(sys.argv[3]).read()
delay, drain, grace = sys.argv[4], sys.argv[5], int(sys.argv[6])
args = sys.argv[7:]
def check(what, got, want):
    if got != want:
        sys.exit("%s: %r, expected %r" % (what, got, want))
y = yaml.safe_load(text)
check("top-level keys", sorted(y), ["containers", "terminationGracePeriodSeconds"])
check("terminationGracePeriodSeconds", y["terminationGracePeriodSeconds"], grace)
c = y["containers"]
check("containers", len(c), 1)
env = {e["name"]: e["value"] for e in c[0]["env"]}
check("env", env, {
    "DRAINIT_READY_FILE": "/run/drainit/ready",
    "DRAINIT_PRE_STOP_DELAY": delay,
    "DRAINIT_DRAIN_TIMEOUT": drain,
    "DRAINIT_GRACE_PERIOD": "%ds" % grace,
})
rp = c[0]["readinessProbe"]
check("probe command", rp["exec"]["command"], ["/usr/local/bin/drainit", "probe"])
def arg(name, default):
    return args[args.index(name) + 1] if name in args else default
check("periodSeconds", rp["periodSeconds"], int(arg("--probe-period", "10s")[:-1]))
check("timeoutSeconds", rp["timeoutSeconds"], int(arg("--probe-timeout", "1s")[:-1]))
check("failureThreshold", rp["failureThreshold"], int(arg("--probe-failures", "3")))
# the comments: a heading with the three numbers, the same explanation as
# the text form, a note; then no comment below the first snippet line
lines = text.splitlines()
comments = [l for l in lines if l.startswith("#")]
check("heading", comments[0],
      "# drainit plan: pre-stop delay %s, drain timeout %s, grace period %ds" % (delay, drain, grace))
check("why", [l[4:] for l in comments[1:-1]], why)
check("comments first", lines[:len(comments)], comments)
check("snippet", "\n".join(lines[len(comments):]) + "\n", snippet)
EOF
			fail "$name: YAML disagrees with the text form: $(cat "$T/out")"
	done
}

# pl_bad WORD... -- ARGS...: `drainit plan ARGS` exits 64 with exactly one
# line on stderr, "drainit: error: ..." naming every WORD, and nothing on
# stdout.
pl_bad() {
	local words=()
	while [ "$1" != -- ]; do words+=("$1"); shift; done
	shift
	pl_run "$@"
	assert_one_line 64 "${words[@]}"
	grep -qE '^drainit: error: .* \(see drainit plan --help\)$' "$T/log" ||
		fail "drainit plan $*: not an error line: $(cat "$T/log")"
}

test_plan_bad_input_one_line_exit_64() {
	# the plan's own checks: "drainit: error: plan: ..."
	pl_bad "drainit: error: plan: --longest-request is required" -- --lb-lag 0
	pl_bad "drainit: error: plan: --longest-request is required" --
	pl_bad "drainit: error: plan: --longest-request must be more than 0" -- --longest-request 0 --lb-lag 0
	pl_bad "drainit: error: plan: " --lb-lag --lb-interval --lb-failures -- --longest-request 51s
	pl_bad "drainit: error: plan: --lb-interval and --lb-failures go together" -- \
		--longest-request 51s --lb-interval 10s
	pl_bad "drainit: error: plan: --lb-interval and --lb-failures go together" -- \
		--longest-request 51s --lb-failures 3
	pl_bad "drainit: error: plan: --lb-interval and --lb-failures go together" -- \
		--longest-request 51s --lb-interval 10s --lb-lag 1s
	pl_bad "drainit: error: plan: --lb-interval must be more than 0" -- \
		--longest-request 51s --lb-interval 0 --lb-failures 3
	pl_bad "drainit: error: plan: --probe-period must be whole seconds, at least 1s" -- \
		"${PL_STORY[@]}" --probe-period 1.5s
	pl_bad "drainit: error: plan: --probe-period must be whole seconds, at least 1s" -- \
		"${PL_STORY[@]}" --probe-period 500ms
	pl_bad "drainit: error: plan: --probe-timeout must be whole seconds, at least 1s" -- \
		"${PL_STORY[@]}" --probe-timeout 0
	# parsing: "drainit: error: plan: ..." too, naming the option
	pl_bad "drainit: error: plan: --format: unknown format 'xml'" -- "${PL_STORY[@]}" --format xml
	pl_bad "drainit: error: plan: unknown option '--bogus'" -- "${PL_STORY[@]}" --bogus
	pl_bad "drainit: error: plan: unknown option '--bogus'" -- --bogus=1 "${PL_STORY[@]}"
	pl_bad "drainit: error: plan: unexpected argument 'extra'" -- "${PL_STORY[@]}" extra
	pl_bad "drainit: error: plan: --probe-failures: bad count '0'" -- "${PL_STORY[@]}" --probe-failures 0
	pl_bad "drainit: error: plan: --probe-failures: bad count '10001'" -- "${PL_STORY[@]}" --probe-failures 10001
	pl_bad "drainit: error: plan: --lb-failures: bad count 'x'" -- --longest-request 51s --lb-interval 10s --lb-failures x
	pl_bad "drainit: error: plan: --longest-request: bad duration '5x'" -- --longest-request 5x --lb-lag 0
	# a newline in a value stays one line: escaped as \n
	pl_bad "drainit: error: plan: --format: unknown format 'a\\nb'" -- "${PL_STORY[@]}" --format "$(printf 'a\nb')"
	pl_bad "drainit: error: plan: --margin: bad duration '-1s'" -- "${PL_STORY[@]}" --margin -1s
	pl_bad "drainit: error: plan: option '--lb-lag' needs a value" -- --longest-request 51s --lb-lag
	pl_bad "drainit: error: plan: option '--help' takes no value" -- --help=x
	# huge values: too large to parse, or a grace period beyond 8760h
	pl_bad "drainit: error: plan: --longest-request: bad duration '8761h': too large (at most 8760h)" -- \
		--longest-request 8761h --lb-lag 0
	pl_bad "drainit: error: plan: the plan needs a grace period of 31536043s, more than drainit takes (8760h)" -- \
		--longest-request 8760h --lb-lag 0
	pl_bad "drainit: error: plan: the plan needs a grace period of 315360000064s, more than drainit takes (8760h)" -- \
		--longest-request 51s --lb-lag 0 --probe-period 8760h --probe-failures 10000
	pl_bad "drainit: error: plan: the plan needs a grace period of 315549216002s, more than drainit takes (8760h)" -- \
		--probe-period 8760h --probe-timeout 8760h --probe-failures 10000 \
		--lb-interval 8760h --lb-failures 10000 --lb-lag 8760h \
		--longest-request 8760h --app-shutdown 8760h --margin 8760h
}

test_plan_largest_grace_period() {
	# 36s + (8760h - 43s + 5s) + 2s is exactly 8760h = 31536000s: taken
	pl_ok --longest-request 31535957000ms --lb-lag 0
	assert_eq "$(pl_text_numbers)" "36s 31535962s 31536000" "the longest plan"
	# one millisecond more rounds the drain up by a second: refused
	pl_bad "the plan needs a grace period of 31536001s, more than drainit takes (8760h)" -- \
		--longest-request 31535957001ms --lb-lag 0
}

test_plan_help() {
	local f o
	for f in --help -h; do
		pl_run "$f"
		assert_eq "$RC" 0 "drainit plan $f exit status"
		[ ! -s "$T/log" ] || fail "drainit plan $f wrote to stderr: $(cat "$T/log")"
		grep -q '^usage: drainit plan ' "$T/out" || fail "drainit plan $f: no usage line: $(cat "$T/out")"
		for o in "${PL_OPTIONS[@]}"; do
			grep -q -- "$o" "$T/out" || fail "drainit plan $f does not mention $o"
		done
		grep -q -- '-h, --help' "$T/out" || fail "drainit plan $f does not mention -h"
	done
	# help wins over the rest of the line, even bad input after it
	pl_run --longest-request 51s --help --format xml
	assert_eq "$RC" 0 "--help among other options"
	grep -q '^usage: drainit plan ' "$T/out" || fail "no usage after other options"
}

test_plan_in_drainit_help() {
	timeout -s KILL 20 "$DRAINIT" --help >"$T/out" 2>"$T/log" </dev/null
	assert_eq "$?" 0 "drainit --help exit status"
	grep -q 'drainit plan' "$T/out" || fail "drainit --help does not mention drainit plan"
	grep -q 'drainit plan --longest-request' "$T/out" || fail "drainit --help: no plan usage"
}

test_plan_stdout_error() {
	# a stdout that cannot be written: not success
	[ -w /dev/full ] || skip "no /dev/full"
	timeout -s KILL 20 "$DRAINIT" plan "${PL_STORY[@]}" >/dev/full 2>"$T/log" </dev/null
	assert_eq "$?" 71 "exit status with stdout on /dev/full"
}
