"""Where layerwise's time goes: compiles per phase, host syncs per epoch, predict overhead.

    python bench/profile_layerwise.py                 # layerwise, compile cache off
    python bench/profile_layerwise.py --engine keras  # the compile table for Keras too
    python bench/profile_layerwise.py --cache warm    # with a pre-filled persistent cache

Sections:
1. Compiles per phase (build, fit, a second fit, evaluate, predict, model(x)) for the W1
   and W2 models: each compiled function with its trace, lowering and XLA compile seconds
   (from jax.monitoring), and persistent-cache hits.
2. Steady epochs of W1 and W2: wall time per epoch split into the dispatch of the jitted
   epoch, the wait in `jax.device_get`, and the rest (Python); host syncs per epoch; the
   compiled program alone, re-run on the same arguments; a cProfile of the epochs.
3. predict on 32 rows and model(x) on one row: total against the jitted call inside, and
   a cProfile of what surrounds it.
4. The seed script's whole process (warm caches), split into its imports and the rest,
   for layerwise and for Keras.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from contextlib import contextmanager
from typing import Any

import numpy as np

import workloads
from harness import timed_repeats


def _configure_cache(engine: str, mode: str) -> None:
    """Before jax is imported: the compile cache off, in a fresh folder, or in a given one."""
    folder = "" if mode == "off" else (tempfile.mkdtemp(prefix="lw-profile-")
                                       if mode == "empty" else mode)
    if engine == "layerwise":
        os.environ["LAYERWISE_CACHE_DIR"] = folder
    elif folder:
        os.environ["JAX_COMPILATION_CACHE_DIR"] = folder
        os.environ["JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS"] = "0"
        os.environ["JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES"] = "-1"


class CompileLog:
    """Collects jax.monitoring compile events: (phase, function, stage, seconds, cache hit)."""

    STAGES = {"/jax/core/compile/jaxpr_trace_duration": "trace",
              "/jax/core/compile/jaxpr_to_mlir_module_duration": "lower",
              "/jax/core/compile/backend_compile_duration": "compile"}

    def __init__(self) -> None:
        import jax

        self.phase = "import"
        self.records: list[dict[str, Any]] = []
        self._pending_hit = False
        jax.monitoring.register_event_duration_secs_listener(self._on_duration)
        jax.monitoring.register_event_listener(self._on_event)

    def _on_event(self, event: str, **kwargs: Any) -> None:
        if event == "/jax/compilation_cache/cache_hits":
            self._pending_hit = True

    def _on_duration(self, event: str, duration: float, **kwargs: Any) -> None:
        stage = self.STAGES.get(event)
        if stage is None:
            return
        hit = stage == "compile" and self._pending_hit
        if stage == "compile":
            self._pending_hit = False
        # Tracing reports "f", lowering and compiling "jit(f)": one row per function.
        function = re.sub(r"^jit\((.*)\)$", r"\1", str(kwargs.get("fun_name", "?")))
        self.records.append({"phase": self.phase, "function": function,
                             "stage": stage, "seconds": duration, "cache_hit": hit})

    @contextmanager
    def in_phase(self, name: str):
        self.phase = name
        start = time.perf_counter()
        yield
        self.wall = getattr(self, "wall", {})
        self.wall[name] = time.perf_counter() - start

    def table(self) -> str:
        by_phase: dict[str, dict[str, dict[str, float]]] = defaultdict(
            lambda: defaultdict(lambda: defaultdict(float)))
        hits: dict[str, int] = defaultdict(int)
        compiles: dict[str, int] = defaultdict(int)
        for record in self.records:
            entry = by_phase[record["phase"]][record["function"]]
            entry[record["stage"]] += record["seconds"]
            if record["stage"] == "compile":
                entry["count"] += 1
                compiles[record["phase"]] += 1
                hits[record["phase"]] += record["cache_hit"]
                entry["hits"] += record["cache_hit"]
        lines = ["| phase | wall s | XLA compiles (cache hits) | function: trace / lower / "
                 "compile s (count) |", "|---|---|---|---|"]
        for phase, wall in self.wall.items():
            functions = by_phase.get(phase, {})
            biggest = sorted(functions.items(), key=lambda item: -sum(
                v for k, v in item[1].items() if k in ("trace", "lower", "compile")))
            described = "; ".join(
                f"{name}: {stats['trace']:.3f} / {stats['lower']:.3f} / "
                f"{stats['compile']:.3f} ({int(stats['count'])}"
                f"{', %d hit' % stats['hits'] if stats['hits'] else ''})"
                for name, stats in biggest[:6])
            if len(biggest) > 6:
                rest = sum(sum(v for k, v in s.items() if k in ("trace", "lower", "compile"))
                           for _, s in biggest[6:])
                described += f"; +{len(biggest) - 6} more ({rest:.3f} s)"
            lines.append(f"| {phase} | {wall:.3f} | {compiles.get(phase, 0)} "
                         f"({hits.get(phase, 0)}) | {described or '–'} |")
        return "\n".join(lines)


def compile_section(keras: Any, engine: str, log: CompileLog) -> None:
    import engine_keras_api as api

    for which in ("w1", "w2"):
        if which == "w1":
            x, y = workloads.w1_data()
            fit_arguments = dict(epochs=3, batch_size=workloads.W1_BATCH)
        else:
            x, y = workloads.w2_data(12000)
            fit_arguments = dict(epochs=2, batch_size=workloads.W2_BATCH,
                                 validation_split=workloads.W2_VALIDATION_SPLIT)
        keras.utils.set_random_seed(0)
        with log.in_phase(f"{which}: build + compile"):
            model = api.build_w1(keras) if which == "w1" else api.build_w2(keras)
            if which == "w1":
                model.compile(keras.optimizers.Adam(learning_rate=0.01),
                              "binary_crossentropy", metrics=["accuracy"])
            else:
                model.compile("adam", "categorical_crossentropy", metrics=["accuracy"])
        with log.in_phase(f"{which}: first fit ({fit_arguments['epochs']} epochs)"):
            model.fit(x, y, verbose=0, **fit_arguments)
        with log.in_phase(f"{which}: second fit"):
            model.fit(x, y, verbose=0, **fit_arguments)
        with log.in_phase(f"{which}: evaluate"):
            model.evaluate(x, y, verbose=0)
        for rows in workloads.PREDICT_ROWS:
            with log.in_phase(f"{which}: predict {rows} rows (1st)"):
                model.predict(np.asarray(x[:rows], np.float32), verbose=0)
            with log.in_phase(f"{which}: predict {rows} rows (2nd)"):
                model.predict(np.asarray(x[:rows], np.float32), verbose=0)
        with log.in_phase(f"{which}: model(x) 1 row (1st)"):
            np.asarray(model(np.asarray(x[:1], np.float32)))
        with log.in_phase(f"{which}: model(x) 1 row (2nd)"):
            np.asarray(model(np.asarray(x[:1], np.float32)))
    print(f"## 1. Compiles per phase ({engine})\n")
    print(log.table())
    print()


class SyncCounter:
    """Counts host syncs: `jax.device_get` calls and array reads outside them."""

    def __init__(self) -> None:
        import jax
        from jax._src import array as jax_array

        self.device_get_calls = 0
        self.device_get_s = 0.0
        self.value_reads = 0
        self._inside = False
        original_get = jax.device_get
        original_value = jax_array.ArrayImpl._value

        def device_get(tree):
            self.device_get_calls += 1
            self._inside = True
            start = time.perf_counter()
            try:
                return original_get(tree)
            finally:
                self.device_get_s += time.perf_counter() - start
                self._inside = False

        def value(array):
            if not self._inside and array._npy_value is None:
                self.value_reads += 1
            return original_value.fget(array)

        jax.device_get = device_get
        jax_array.ArrayImpl._value = property(value)

    def reset(self) -> None:
        self.device_get_calls = self.value_reads = 0
        self.device_get_s = 0.0


def _top_functions(profile: cProfile.Profile, count: int, sort: str) -> str:
    stream = io.StringIO()
    stats = pstats.Stats(profile, stream=stream)
    stats.strip_dirs().sort_stats(sort).print_stats(count)
    lines = [line for line in stream.getvalue().splitlines() if line.strip()]
    start = next(i for i, line in enumerate(lines) if "ncalls" in line)
    return "\n".join(lines[start:])


def epoch_section(keras: Any) -> None:
    """Steady-epoch anatomy of layerwise's fit for W1 and W2."""
    import jax

    import engine_keras_api as api

    counter = SyncCounter()
    print("## 2. Steady epochs (layerwise)\n")
    for which, epochs in (("w1", 100), ("w2", 5)):
        keras.utils.set_random_seed(0)
        if which == "w1":
            x, y = workloads.w1_data()
            model = api.build_w1(keras)
            model.compile(keras.optimizers.Adam(learning_rate=0.01), "binary_crossentropy",
                          metrics=["accuracy"])
            fit_arguments = dict(batch_size=workloads.W1_BATCH)
        else:
            x, y = workloads.w2_data()
            model = api.build_w2(keras)
            model.compile("adam", "categorical_crossentropy", metrics=["accuracy"])
            fit_arguments = dict(batch_size=workloads.W2_BATCH,
                                 validation_split=workloads.W2_VALIDATION_SPLIT)
        model.fit(x, y, verbose=0, epochs=2, **fit_arguments)  # compiles everything
        steps = model._steps
        wrapped = {}
        for name in ("train_epoch", "evaluate_data"):
            wrapped[name] = {"calls": 0, "seconds": 0.0, "last": None,
                             "original": getattr(steps, name)}

            def timed(*args, _name=name, **kwargs):
                record = wrapped[_name]
                begin = time.perf_counter()
                result = record["original"](*args, **kwargs)
                record["seconds"] += time.perf_counter() - begin
                record["calls"] += 1
                record["last"] = (args, kwargs)
                return result

            setattr(steps, name, timed)
        timer = api.epoch_timer(keras)
        counter.reset()
        begin = time.perf_counter()
        model.fit(x, y, verbose=0, epochs=epochs, callbacks=[timer], **fit_arguments)
        fit_end = time.perf_counter()
        fit_wall = fit_end - begin
        stamps = timer.stamps
        teardown = fit_end - stamps[-1]
        epoch_times = np.diff(stamps)
        setup = stamps[0] - begin
        epoch = float(np.median(epoch_times))
        per_epoch = {name: (record["calls"] / epochs, record["seconds"] / epochs)
                     for name, record in wrapped.items()}
        syncs = (counter.device_get_calls / epochs, counter.device_get_s / epochs,
                 counter.value_reads / epochs)
        profile = cProfile.Profile()
        profile.enable()
        model.fit(x, y, verbose=0, epochs=epochs, **fit_arguments)
        profile.disable()
        for name, record in wrapped.items():
            setattr(steps, name, record["original"])
        # Re-run the compiled epoch alone on the arguments of its last call (the state
        # was donated, so it is read again from the model and copied before each run).
        args, kwargs = wrapped["train_epoch"]["last"]
        program_times = []
        for _ in range(10 if which == "w1" else 3):
            state = jax.tree_util.tree_map(lambda a: a.copy(), model._read_state(steps))
            fresh = (state,) + tuple(args[1:])
            jax.block_until_ready(fresh)
            begin = time.perf_counter()
            jax.block_until_ready(steps.train_epoch(*fresh, **kwargs))
            program_times.append(time.perf_counter() - begin)
        program = statistics.median(program_times)
        validation = 0.0
        if wrapped["evaluate_data"]["last"] is not None:
            args, kwargs = wrapped["evaluate_data"]["last"]
            validation = statistics.median(timed_repeats(
                lambda: jax.block_until_ready(steps.evaluate_data(*args, **kwargs)), 3, 20,
                0.5))
        overhead = epoch - program - validation
        print(f"### {which.upper()}: fit(epochs={epochs}) after a 2-epoch warm-up fit\n")
        print(f"- fit wall {fit_wall * 1e3:.1f} ms = setup before the first epoch "
              f"{setup * 1e3:.2f} ms (argument checks, check_finite, validation split, "
              f"device transfer) + epochs + {teardown * 1e3:.2f} ms after the last")
        print(f"- steady epoch (median, epoch-end to epoch-end): {epoch * 1e3:.3f} ms")
        print(f"- the compiled train-epoch program alone, re-run on its own arguments: "
              f"{program * 1e3:.3f} ms; validation program alone: {validation * 1e3:.3f} ms")
        print(f"- so host-side overhead per epoch is ~{overhead * 1e3:.3f} ms "
              f"({100 * overhead / epoch:.0f}% of the epoch; the epoch minus the programs "
              f"alone, so on a busy machine it also absorbs contention)")
        print(f"- per epoch: {per_epoch['train_epoch'][0]:g} train_epoch dispatches "
              f"({per_epoch['train_epoch'][1] * 1e3:.3f} ms in the call), "
              f"{per_epoch['evaluate_data'][0]:g} evaluate_data dispatches "
              f"({per_epoch['evaluate_data'][1] * 1e3:.3f} ms), {syncs[0]:g} jax.device_get "
              f"calls ({syncs[1] * 1e3:.3f} ms, includes waiting for the device), "
              f"{syncs[2]:g} other device->host reads")
        print("\ncProfile of a second such fit, top functions by internal time:\n")
        print("```\n" + _top_functions(profile, 15, "tottime") + "\n```\n")
        print("by cumulative time:\n")
        print("```\n" + _top_functions(profile, 20, "cumulative") + "\n```\n")


def predict_section(keras: Any) -> None:
    """predict(32 rows) and model(x) on one row: total against the jitted call inside."""
    import jax

    import engine_keras_api as api

    print("## 3. predict and model(x) overhead (layerwise)\n")
    for which in ("w1", "w2"):
        keras.utils.set_random_seed(0)
        if which == "w1":
            model = api.build_w1(keras)
            inputs = workloads.w1_data()[0].astype(np.float32)
        else:
            model = api.build_w2(keras)
            inputs = workloads.w2_data(1000)[0]
        x32 = inputs[:32]
        x1 = inputs[:1]

        def predict(x):
            return model.predict(x, verbose=0)

        def call(x):
            return np.asarray(model(x))

        predict(x32)
        call(x1)
        predict_s = statistics.median(timed_repeats(lambda: predict(x32), 20, 300, 1.0))
        call_s = statistics.median(timed_repeats(lambda: call(x1), 20, 300, 1.0))
        # The compiled program predict runs (engine internals), called with ready arguments.
        functions = model._inference_functions()
        trainable = [v.value for v in functions.trainable_variables]
        non_trainable = [v.value for v in functions.non_trainable_variables]
        blocks = jax.numpy.asarray(x32.reshape((1,) + x32.shape))
        functions.predict_blocks(trainable, non_trainable, blocks)
        raw_s = statistics.median(timed_repeats(
            lambda: np.asarray(functions.predict_blocks(trainable, non_trainable, blocks)),
            20, 300, 1.0))
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(200):
            predict(x32)
        profile.disable()
        call_profile = cProfile.Profile()
        call_profile.enable()
        for _ in range(200):
            call(x1)
        call_profile.disable()
        print(f"### {which.upper()} model\n")
        print(f"- predict(32 rows): {predict_s * 1e6:.0f} µs; the jitted predict program "
              f"called directly (+ np.asarray): {raw_s * 1e6:.0f} µs")
        print(f"- model(x) on 1 row (eager, + np.asarray): {call_s * 1e6:.0f} µs")
        print("\npredict(32 rows) x 200, cProfile by internal time:\n")
        print("```\n" + _top_functions(profile, 15, "tottime") + "\n```\n")
        print("model(x) x 200, cProfile by internal time:\n")
        print("```\n" + _top_functions(call_profile, 15, "tottime") + "\n```\n")


def _import_times(stderr: str) -> dict[str, float]:
    """Cumulative seconds of each top-level import from `python -X importtime` output."""
    times: dict[str, float] = defaultdict(float)
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        _, cumulative, name = line[len("import time:"):].split("|")
        if name.startswith("  "):
            continue  # nested imports are indented further; keep the top level only
        times[name.strip().split(".")[0]] += int(cumulative) / 1e6
    return dict(times)


def seed_script_section(repeats: int = 3) -> None:
    """Where the whole-process time of the seed script goes, layerwise against Keras."""
    import subprocess

    import bench_seed_script
    import harness

    print("## 4. examples/seed_moons.py, whole process, warm caches\n")
    folders = harness.CacheFolders()
    workdir = tempfile.mkdtemp(dir=folders.root)
    rows = []
    try:
        for engine, script in bench_seed_script.SCRIPTS.items():
            env = bench_seed_script._environment(engine, folders.warm(engine, "seed"))
            harness.run_process([harness.PYTHON, str(script)], env=env, cwd=workdir)
            walls, imports = [], []
            for _ in range(repeats):
                begin = time.perf_counter()
                done = subprocess.run([harness.PYTHON, "-X", "importtime", str(script)],
                                      env=env, cwd=workdir, capture_output=True, text=True,
                                      check=True)
                walls.append(time.perf_counter() - begin)
                imports.append(_import_times(done.stderr))
            packages = sorted({name for times in imports for name in times},
                              key=lambda n: -statistics.median(t.get(n, 0) for t in imports))
            wall = statistics.median(walls)
            shown = {name: statistics.median(t.get(name, 0.0) for t in imports)
                     for name in packages[:4]}
            rest = wall - statistics.median(sum(t.values()) for t in imports)
            rows.append((engine, wall, shown, rest))
    finally:
        folders.close()
    for engine, wall, shown, rest in rows:
        parts = ", ".join(f"import {name} {seconds:.2f} s" for name, seconds in shown.items())
        print(f"- {engine}: {wall:.2f} s whole process (under -X importtime): {parts}; "
              f"everything after the imports (build, fit, plot, savefig) and interpreter "
              f"start ~{rest:.2f} s")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", default="layerwise", choices=["layerwise", "keras"])
    parser.add_argument("--cache", default="off",
                        help="off, empty, or a folder (e.g. one filled by a previous run)")
    parser.add_argument("--sections", default="1,2,3,4")
    args = parser.parse_args()
    _configure_cache(args.engine, args.cache)
    start = time.perf_counter()
    import jax  # noqa: F401  (imported first, so the listeners see every compile)

    log = CompileLog()
    import engine_keras_api as api

    with log.in_phase("import"):
        keras = api.load(args.engine)
    print(f"# Profile of {args.engine} (compile cache: {args.cache}); "
          f"import took {time.perf_counter() - start:.2f} s\n")
    sections = args.sections.split(",")
    if "1" in sections:
        compile_section(keras, args.engine, log)
    if args.engine == "layerwise" and "2" in sections:
        epoch_section(keras)
    if args.engine == "layerwise" and "3" in sections:
        predict_section(keras)
    if "4" in sections:
        seed_script_section()
    sys.stdout.flush()


if __name__ == "__main__":
    main()
