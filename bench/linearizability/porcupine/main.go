// Command porcupine-bench checks patternbench history files (JSONL of Op)
// with Porcupine, the reference the benchmark compares our checker against.
//
//	porcupine-bench -model register|cas-register|kv [-runs 5] [-timeout 60s] [-verbose] file.jsonl...
//
// It prints one JSON line a file: {"file", "valid", "ms", "ops"}, where valid
// is true, false or "unknown" (Porcupine timed out) and ms is the median
// wall-clock time of the runs: pairing invokes with completions and the
// check, as our checker is timed; parsing excluded on both sides.
//
// By default it calls CheckOperationsTimeout: partitions (keys) checked in
// parallel goroutines, stopping at the first one found not linearizable,
// no counterexample. With -verbose, CheckOperationsVerbose: every partition
// checked to the end and its partial linearizations kept, the work our
// checker does for a verdict that names every failing key.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
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
)

type input struct {
	kind opKind
	key  string
	// a is the written value (write) or the expected one (cas); b is cas's new value.
	a, b int64
}

type output struct {
	value   int64
	unknown bool // an info op: Porcupine must accept any output
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

func model(name string) (porcupine.Model, error) {
	m := porcupine.Model{
		Init: func() interface{} { return int64(nilValue) },
		Step: step,
		Hash: func(state interface{}) uint64 { return uint64(state.(int64)) },
	}
	switch name {
	case "register", "cas-register":
		return m, nil
	case "kv":
		// As Porcupine's own kvModel: a history is linearizable iff each
		// key's sub-history is, so each key is checked alone.
		m.Partition = func(history []porcupine.Operation) [][]porcupine.Operation {
			byKey := map[string][]porcupine.Operation{}
			for _, op := range history {
				k := op.Input.(input).key
				byKey[k] = append(byKey[k], op)
			}
			keys := make([]string, 0, len(byKey))
			for k := range byKey {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			parts := make([][]porcupine.Operation, 0, len(keys))
			for _, k := range keys {
				parts = append(parts, byKey[k])
			}
			return parts
		}
		return m, nil
	}
	return m, fmt.Errorf("unknown model %q (want register, cas-register or kv)", name)
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
	// value is a read's ok value (nilValue for null).
	value int64
	index int64
}

// parse reads a history file into records (untimed, like our reader);
// nemesis ops are skipped.
func parse(path string) ([]record, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var records []record
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for sc.Scan() {
		var l line
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		proc := string(l.Process)
		if proc == `"nemesis"` {
			continue
		}
		r := record{proc: proc, typ: l.Type, index: l.Index, in: input{key: l.Key}}
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
			if err := json.Unmarshal(l.Value, &pair); err != nil {
				return nil, fmt.Errorf("%s: cas value: %w", path, err)
			}
			r.in.a, r.in.b = pair[0], pair[1]
		default:
			return nil, fmt.Errorf("%s: unsupported f %q", path, l.F)
		}
		records = append(records, r)
	}
	return records, sc.Err()
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
				out.value = r.value
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

func main() {
	modelName := flag.String("model", "register", "register, cas-register or kv")
	runs := flag.Int("runs", 5, "checks per file; the median time is printed")
	timeout := flag.Duration("timeout", 60*time.Second, "Porcupine's time budget per check (0: none)")
	verbose := flag.Bool("verbose", false, "CheckOperationsVerbose: every partition, with partial linearizations")
	flag.Parse()
	m, err := model(*modelName)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	enc := json.NewEncoder(os.Stdout)
	for _, path := range flag.Args() {
		records, err := parse(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		var result porcupine.CheckResult
		var ops []porcupine.Operation
		times := make([]float64, 0, *runs)
		for r := 0; r < *runs; r++ {
			start := time.Now()
			ops = operations(records)
			if *verbose {
				result, _ = porcupine.CheckOperationsVerbose(m, ops, *timeout)
			} else {
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
		if err := enc.Encode(map[string]interface{}{"file": path, "valid": valid, "ms": times[len(times)/2], "ops": len(ops)}); err != nil {
			os.Exit(1)
		}
	}
}
