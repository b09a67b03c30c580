// Command porcupine-bench checks patternbench history files (JSONL of Op)
// with Porcupine, the reference the benchmark compares our checker against.
//
//	porcupine-bench -model register|cas-register|kv|kv-append [-init null] [-runs 5] [-timeout 60s] [-api operations|verbose|events] file.jsonl...
//
// It prints one JSON line a file: {"file", "valid", "ms", "ops"}, where valid
// is true, false or "unknown" (Porcupine timed out) and ms is the median
// wall-clock time of the runs: pairing invokes with completions and the
// check, as our checker is timed; parsing excluded on both sides.
//
// -api says which of Porcupine's calls checks:
//   - operations (default): CheckOperationsTimeout: partitions (keys)
//     checked in parallel goroutines, stopping at the first one found not
//     linearizable, no counterexample.
//   - verbose: CheckOperationsVerbose: every partition checked to the end
//     and its partial linearizations kept, the work a counterexample for
//     every failing key takes.
//   - events: CheckEventsTimeout, what Porcupine's own tests call on its
//     kv and etcd histories: call and return events in file order, the
//     same parallel search as operations.
//
// kv-append is the model of Porcupine's kv test histories: get, put and
// append of string values per key, every key starting at "".
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"hash/fnv"
	"math"
	"os"
	"sort"
	"time"

	"github.com/anishathalye/porcupine"
)

// nilValue stands for JSON null (the register's initial value).
const nilValue = math.MinInt64

type opKind uint8

const (
	opRead opKind = iota
	opWrite
	opCas
	opAppend
)

type input struct {
	kind opKind
	key  string
	// a is the written value (write) or the expected one (cas); b is cas's new value.
	a, b int64
	// s is the string put or appended (kv-append).
	s string
}

type output struct {
	value   int64
	s       string // a get's value (kv-append)
	unknown bool   // an info op: Porcupine must accept any output
}

// line is one history op as written by history/writer.ts.
type line struct {
	Index   int64           `json:"index"`
	Process json.RawMessage `json:"process"`
	Type    string          `json:"type"`
	F       string          `json:"f"`
	Key     string          `json:"key"`
	Value   json.RawMessage `json:"value"`
}

// step is the sequential specification shared by register, cas-register and
// kv (per key, after partitioning): a state is the register's value.
func step(state, in, out interface{}) (bool, interface{}) {
	st := state.(int64)
	i := in.(input)
	o := out.(output)
	switch i.kind {
	case opRead:
		return o.unknown || o.value == st, st
	case opWrite:
		return true, i.a
	default:
		// Only cas that completed ok or info reach the checker (a fail surely
		// did not take effect and is dropped), so an ok cas must have matched;
		// an info cas may have matched or not.
		if st == i.a {
			return true, i.b
		}
		return o.unknown, st
	}
}

func model(name string, init int64) (porcupine.Model, error) {
	m := porcupine.Model{
		Init: func() interface{} { return init },
		Step: step,
		Hash: func(state interface{}) uint64 { return uint64(state.(int64)) },
	}
	switch name {
	case "register", "cas-register":
		return m, nil
	case "kv":
		// As Porcupine's own kvModel: a history is linearizable iff each
		// key's sub-history is, so each key is checked alone.
		m.Partition, m.PartitionEvent = byKey, eventsByKey
		return m, nil
	case "kv-append":
		return porcupine.Model{
			Partition:      byKey,
			PartitionEvent: eventsByKey,
			Init:           func() interface{} { return "" },
			Step:           appendStep,
			Hash: func(state interface{}) uint64 {
				h := fnv.New64a()
				h.Write([]byte(state.(string)))
				return h.Sum64()
			},
		}, nil
	}
	return m, fmt.Errorf("unknown model %q (want register, cas-register, kv or kv-append)", name)
}

// byKey partitions operations by key, keys in sorted order.
func byKey(history []porcupine.Operation) [][]porcupine.Operation {
	parts := map[string][]porcupine.Operation{}
	for _, op := range history {
		k := op.Input.(input).key
		parts[k] = append(parts[k], op)
	}
	return sortedParts(parts)
}

// eventsByKey partitions events by key (a return by its call's key), keys
// in sorted order: CheckEvents partitions with this, CheckOperations with
// byKey.
func eventsByKey(history []porcupine.Event) [][]porcupine.Event {
	parts := map[string][]porcupine.Event{}
	keyOf := map[int]string{}
	for _, ev := range history {
		if ev.Kind == porcupine.CallEvent {
			keyOf[ev.Id] = ev.Value.(input).key
		}
		k := keyOf[ev.Id]
		parts[k] = append(parts[k], ev)
	}
	return sortedParts(parts)
}

func sortedParts[T any](parts map[string][]T) [][]T {
	keys := make([]string, 0, len(parts))
	for k := range parts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([][]T, 0, len(keys))
	for _, k := range keys {
		out = append(out, parts[k])
	}
	return out
}

// appendStep is kv-append's sequential specification per key: a state is
// the key's string value.
func appendStep(state, in, out interface{}) (bool, interface{}) {
	st := state.(string)
	i := in.(input)
	switch i.kind {
	case opRead:
		o := out.(output)
		return o.unknown || o.s == st, st
	case opWrite:
		return true, i.s
	default:
		return true, st + i.s
	}
}

func intOrNil(raw json.RawMessage) (int64, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nilValue, nil
	}
	var v int64
	err := json.Unmarshal(raw, &v)
	return v, err
}

// record is one history line with its value decoded: what our reader
// (history/index.ts) gives our checker, so that both sides are timed from
// the same point.
type record struct {
	proc string
	typ  string
	in   input
	// value is a read's ok value (nilValue for null); s a get's (kv-append).
	value int64
	s     string
	index int64
}

// parse reads a history file into records (untimed, like our reader);
// nemesis ops are skipped.
func parse(path string, strings bool) ([]record, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var records []record
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for sc.Scan() {
		// Blank lines are skipped, as our reader skips them.
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var l line
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		proc := string(l.Process)
		if proc == `"nemesis"` {
			continue
		}
		r := record{proc: proc, typ: l.Type, index: l.Index, in: input{key: l.Key}}
		// A fail or info completion's value is never read (the invoke's
		// is), and may be anything: Jepsen logs :timed-out there.
		if l.Type == "fail" || l.Type == "info" {
			l.Value = nil
		}
		if strings {
			if err := parseString(&r, l); err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
			records = append(records, r)
			continue
		}
		switch l.F {
		case "read":
			r.in.kind = opRead
			if r.value, err = intOrNil(l.Value); err != nil {
				return nil, err
			}
		case "write":
			r.in.kind = opWrite
			if r.in.a, err = intOrNil(l.Value); err != nil {
				return nil, err
			}
		case "cas":
			r.in.kind = opCas
			var pair [2]int64
			if l.Value != nil {
				if err := json.Unmarshal(l.Value, &pair); err != nil {
					return nil, fmt.Errorf("%s: cas value: %w", path, err)
				}
			}
			r.in.a, r.in.b = pair[0], pair[1]
		default:
			return nil, fmt.Errorf("%s: unsupported f %q", path, l.F)
		}
		records = append(records, r)
	}
	return records, sc.Err()
}

// parseString decodes a kv-append line: get (its ok value a string), put
// and append (their value a string).
func parseString(r *record, l line) error {
	var s string
	if len(l.Value) > 0 && string(l.Value) != "null" {
		if err := json.Unmarshal(l.Value, &s); err != nil {
			return fmt.Errorf("%s value: %w", l.F, err)
		}
	}
	switch l.F {
	case "get":
		r.in.kind = opRead
		r.s = s
	case "put":
		r.in.kind = opWrite
		r.in.s = s
	case "append":
		r.in.kind = opAppend
		r.in.s = s
	default:
		return fmt.Errorf("unsupported f %q", l.F)
	}
	return nil
}

// operations pairs invokes with completions (timed, as our checker's
// prepare is): the invoke's and the completion's op indices are the call and
// return times (file order is real-time order); an info op, or one never
// completed, returns at math.MaxInt64 as Porcupine recommends for crashed
// clients, so it may take effect at any later time; fail ops and info reads
// are dropped (neither constrains anything).
func operations(records []record) []porcupine.Operation {
	type pending struct {
		in   input
		call int64
	}
	open := map[string]pending{}
	ops := make([]porcupine.Operation, 0, len(records)/2)
	for _, r := range records {
		if r.typ == "invoke" {
			open[r.proc] = pending{r.in, r.index}
			continue
		}
		p, ok := open[r.proc]
		if !ok {
			continue
		}
		delete(open, r.proc)
		switch r.typ {
		case "ok":
			out := output{}
			if p.in.kind == opRead {
				out.value, out.s = r.value, r.s
			}
			ops = append(ops, porcupine.Operation{Input: p.in, Call: p.call, Output: out, Return: r.index})
		case "info":
			if p.in.kind != opRead {
				ops = append(ops, porcupine.Operation{Input: p.in, Call: p.call, Output: output{unknown: true}, Return: math.MaxInt64})
			}
		}
	}
	for _, p := range open {
		if p.in.kind != opRead {
			ops = append(ops, porcupine.Operation{Input: p.in, Call: p.call, Output: output{unknown: true}, Return: math.MaxInt64})
		}
	}
	return ops
}

// events pairs invokes with completions as operations does, keeping the
// same calls, and lays them out as Porcupine's call and return events in
// file order (timed, as operations is): a kept call's event where its invoke
// is, its return where its ok completion is; an info call, or one never
// completed, returns after every other event, as Porcupine's own tests
// close unfinished calls.
func events(records []record) []porcupine.Event {
	type call struct {
		in     input
		out    output
		kept   bool
		retPos int // its ok completion's record, -1 when it returns at the end
	}
	calls := make([]call, 0, len(records)/2)
	callAt := make([]int, len(records)) // a record's call, -1 for none
	returnAt := make([]int, len(records))
	open := map[string]int{}
	for i, r := range records {
		callAt[i], returnAt[i] = -1, -1
		if r.typ == "invoke" {
			open[r.proc] = len(calls)
			callAt[i] = len(calls)
			calls = append(calls, call{in: r.in, kept: r.in.kind != opRead, retPos: -1, out: output{unknown: true}})
			continue
		}
		c, ok := open[r.proc]
		if !ok {
			continue
		}
		delete(open, r.proc)
		switch r.typ {
		case "ok":
			out := output{}
			if calls[c].in.kind == opRead {
				out.value, out.s = r.value, r.s
			}
			calls[c].out, calls[c].kept, calls[c].retPos = out, true, i
			returnAt[i] = c
		case "fail":
			calls[c].kept = false
		}
	}
	evs := make([]porcupine.Event, 0, 2*len(calls))
	for i := range records {
		if c := callAt[i]; c >= 0 && calls[c].kept {
			evs = append(evs, porcupine.Event{ClientId: c, Kind: porcupine.CallEvent, Value: calls[c].in, Id: c})
		}
		if c := returnAt[i]; c >= 0 {
			evs = append(evs, porcupine.Event{ClientId: c, Kind: porcupine.ReturnEvent, Value: calls[c].out, Id: c})
		}
	}
	for c := range calls {
		if calls[c].kept && calls[c].retPos < 0 {
			evs = append(evs, porcupine.Event{ClientId: c, Kind: porcupine.ReturnEvent, Value: calls[c].out, Id: c})
		}
	}
	return evs
}

func main() {
	modelName := flag.String("model", "register", "register, cas-register, kv or kv-append")
	runs := flag.Int("runs", 5, "checks per file; the median time is printed")
	timeout := flag.Duration("timeout", 60*time.Second, "Porcupine's time budget per check (0: none)")
	initFlag := flag.String("init", "null", "the register's initial value: an integer, or null (register, cas-register, kv)")
	api := flag.String("api", "operations", "operations (CheckOperationsTimeout), verbose (CheckOperationsVerbose) or events (CheckEventsTimeout)")
	flag.Parse()
	if *api != "operations" && *api != "verbose" && *api != "events" {
		fmt.Fprintf(os.Stderr, "unknown -api %q (want operations, verbose or events)\n", *api)
		os.Exit(2)
	}
	init, err := intOrNil(json.RawMessage(*initFlag))
	if err != nil {
		fmt.Fprintf(os.Stderr, "-init %q: %v\n", *initFlag, err)
		os.Exit(2)
	}
	m, err := model(*modelName, init)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	enc := json.NewEncoder(os.Stdout)
	for _, path := range flag.Args() {
		records, err := parse(path, *modelName == "kv-append")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		var result porcupine.CheckResult
		calls := 0
		times := make([]float64, 0, *runs)
		for r := 0; r < *runs; r++ {
			start := time.Now()
			switch *api {
			case "events":
				evs := events(records)
				calls = len(evs) / 2
				result = porcupine.CheckEventsTimeout(m, evs, *timeout)
			case "verbose":
				ops := operations(records)
				calls = len(ops)
				result, _ = porcupine.CheckOperationsVerbose(m, ops, *timeout)
			default:
				ops := operations(records)
				calls = len(ops)
				result = porcupine.CheckOperationsTimeout(m, ops, *timeout)
			}
			times = append(times, float64(time.Since(start).Microseconds())/1000)
		}
		sort.Float64s(times)
		var valid interface{} = "unknown"
		switch result {
		case porcupine.Ok:
			valid = true
		case porcupine.Illegal:
			valid = false
		}
		if err := enc.Encode(map[string]interface{}{"file": path, "valid": valid, "ms": times[len(times)/2], "ops": calls}); err != nil {
			os.Exit(1)
		}
	}
}
