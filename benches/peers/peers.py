"""placeplan against HiGHS and CBC on the same models (run through benches/peers/run.sh).

For each instance: write the scenario (`placeplan demo` or `placeplan synth`) with the scenario
defaults for whole bases and stability, write its model as MPS (`placeplan plan --write-mps`),
then solve it three ways, each in its own process on one thread with the same time limit and
relative gap (the scenario's `[solver] mip_gap`):

- placeplan: the whole `placeplan plan DIR --formats csv` command with its default engine
  (reading the CSV files, the forecast, the model, the solve, the baselines, the checks and the
  CSV outputs), with one worker thread (`RAYON_NUM_THREADS=1`); objective, bound and gap from
  its summary.json;
- HiGHS: highspy reads the MPS and solves it (`threads = 1`);
- CBC: the cbc binary PuLP ships reads the MPS and solves it (`threads 1`; the limit in wall
  seconds, `timeMode elapsed`, as HiGHS's; CBC checks it between steps of its search, so a
  long first LP can overrun it).

Times are wall seconds of each process; peak memory is its maximum resident set (os.wait4).

Objectives: the MPS holds costs in thousands of pounds (placeplan_solver::formulation::SCALE
= 1e-3), so a peer's objective and bound are multiplied by 1,000 to compare them with
placeplan's summary.json, which is in pounds. The file leaves out only a constant part of the
cost, the capital of builds fixed in advance (crates/solver/src/export.rs); a default `plan`
fixes none, and the instances open bases and schools at no one-off cost (`base_fixed_cost` and
`lump_sum` 0), which placeplan adds outside the model, so the constant here is 0 and the
objectives compare directly.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
# Pounds per unit of the MPS objective (the model's costs are in thousands of pounds).
POUNDS_PER_UNIT = 1000.0
INSTANCES = ("demo", "ward", "lsoa")
SOLVERS = ("placeplan", "highs", "cbc")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--placeplan", required=True, help="the placeplan binary")
    ap.add_argument("--time-limit", type=float, default=600.0, help="seconds per solve (600)")
    ap.add_argument("--instances", default=",".join(INSTANCES), help="demo,ward,lsoa")
    ap.add_argument("--solvers", default=",".join(SOLVERS), help="placeplan,highs,cbc")
    ap.add_argument("--seed", type=int, default=1, help="seed of the synthetic instances (1)")
    ap.add_argument("--out", default=os.path.join(HERE, "out"), help="work folder (replaced)")
    ap.add_argument("--json", help="also write the rows to this JSON file (default OUT/peers.json)")
    # Internal: solve one MPS with highspy in this process (run as a child, so its peak
    # memory is its own).
    ap.add_argument("--highs-child", help=argparse.SUPPRESS)
    ap.add_argument("--gap", type=float, default=0.005, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.highs_child:
        highs_child(a.highs_child, a.time_limit, a.gap)
        return
    instances = [i for i in a.instances.split(",") if i]
    solvers = [s for s in a.solvers.split(",") if s]
    for i in instances:
        if i not in INSTANCES:
            sys.exit(f"unknown instance {i!r}: expected some of {', '.join(INSTANCES)}")
    for s in solvers:
        if s not in SOLVERS:
            sys.exit(f"unknown solver {s!r}: expected some of {', '.join(SOLVERS)}")
    if os.path.exists(a.out):
        shutil.rmtree(a.out)
    os.makedirs(a.out)
    cbc = cbc_path() if "cbc" in solvers else None
    rows = []
    sizes = {}
    for inst in instances:
        scen, gap = write_scenario(a.placeplan, inst, a.seed, a.out, a.time_limit)
        mps = write_mps(a.placeplan, scen, a.out, inst)
        sizes[inst] = mps_size(mps)
        log(f"{inst}: {sizes[inst]}")
        for solver in solvers:
            log(f"{inst}: solving with {solver} (limit {a.time_limit:g} s)")
            if solver == "placeplan":
                r = run_placeplan(a.placeplan, scen, os.path.join(a.out, f"{inst}-plan"))
            elif solver == "highs":
                r = run_highs(mps, a.time_limit, gap, a.out, inst)
            else:
                r = run_cbc(cbc, mps, a.time_limit, gap, a.out, inst)
            r.update(instance=inst, solver=solver)
            log(f"  {r}")
            rows.append(r)
    print_table(rows, sizes, a)
    with open(a.json or os.path.join(a.out, "peers.json"), "w") as f:
        json.dump({"rows": rows, "sizes": sizes, "time_limit_s": a.time_limit}, f, indent=1)


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# Instances and models


def write_scenario(placeplan, inst, seed, out, limit):
    """Writes the scenario folder of `inst` with the scenario defaults and `limit` seconds;
    returns it and the scenario's relative MIP gap."""
    d = os.path.join(out, inst)
    if inst == "demo":
        check([placeplan, "demo", "--out", d])
    else:
        check([placeplan, "synth", "--scale", inst, "--seed", str(seed), "--out", d])
    path = os.path.join(d, "scenario.toml")
    with open(path) as f:
        text = f.read()
    # The demo writes the defaults out (`modular = true`, `stability = true`), as the
    # synthetic instances carry them.
    if inst == "demo" and not re.search(r"(?m)^modular = true$", text):
        sys.exit(f"{path}: the demo no longer plans on the default rules")
    text, n = re.subn(r"(?m)^time_limit_s = .*$", f"time_limit_s = {float(limit)!r}", text)
    if n != 1:
        sys.exit(f"{path}: no time_limit_s line to set")
    with open(path, "w") as f:
        f.write(text)
    m = re.search(r"(?m)^mip_gap = (.*)$", text)
    return d, float(m.group(1)) if m else 0.005


def write_mps(placeplan, scen, out, inst):
    """Writes the model of `scen` as MPS. `plan --write-mps` writes the file (atomically) before
    solving; the run is stopped once the file is there."""
    mps = os.path.join(out, f"{inst}.mps")
    p = subprocess.Popen(
        [placeplan, "plan", scen, "--out", os.path.join(out, f"{inst}-mps-plan"),
         "--formats", "csv", "--write-mps", mps],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    while not os.path.exists(mps) and p.poll() is None:
        time.sleep(0.1)
    if p.poll() is None:
        p.terminate()
    p.wait()
    if not os.path.exists(mps):
        sys.exit(f"placeplan plan --write-mps wrote no {mps} (exit {p.returncode})")
    return mps


def mps_size(path):
    """Rows, columns, integer columns and nonzeros (objective included) of an MPS file."""
    rows = cols = ints = nz = 0
    section = ""
    last = None
    integer = False
    with open(path) as f:
        for line in f:
            if not line.startswith(" "):
                section = line.split()[0]
                continue
            if section == "ROWS":
                rows += line.split()[0] != "N"
            elif section == "COLUMNS":
                p = line.split()
                if p[1] == "'MARKER'":
                    integer = p[2] == "'INTORG'"
                    continue
                if p[0] != last:
                    last = p[0]
                    cols += 1
                    ints += integer
                nz += (len(p) - 1) // 2
    return {"rows": rows, "columns": cols, "integers": ints, "nonzeros": nz}


def check(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({r.returncode}):\n{r.stdout}{r.stderr}")


# ---------------------------------------------------------------------------------------------
# Solvers


def timed(cmd, stdout_path, env=None):
    """Runs `cmd` (with `env` added to the environment), its output to `stdout_path`; returns
    (exit code, wall seconds, CPU seconds, peak MB)."""
    with open(stdout_path, "w") as f:
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, stdout=f, stderr=subprocess.STDOUT,
                             env={**os.environ, **(env or {})})
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.monotonic() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    # ru_maxrss is in KiB on Linux.
    return p.returncode, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024.0


def run_placeplan(placeplan, scen, out):
    # One worker thread, as the peers get: placeplan otherwise runs the baselines and its
    # outputs beside the plan on a second core.
    code, wall, cpu, peak = timed(
        [placeplan, "plan", scen, "--out", out, "--formats", "csv"], out + ".log",
        env={"RAYON_NUM_THREADS": "1"},
    )
    r = {"time_s": wall, "cpu_s": cpu, "peak_mb": peak, "exit": code}
    summary = os.path.join(out, "summary.json")
    if code != 0 or not os.path.exists(summary):
        with open(out + ".log") as f:
            error = re.search(r"\bE[0-9]{3}\b", f.read())
        r["status"] = f"no plan (exit {code}{', ' + error.group(0) if error else ''})"
        return r
    with open(summary) as f:
        s = json.load(f)
    r.update(
        status=s.get("status"),
        method=s.get("backend"),
        objective=s.get("objective"),
        bound=s.get("bound"),
        gap=s.get("gap"),
    )
    return r


def run_highs(mps, limit, gap, out, inst):
    res = os.path.join(out, f"{inst}-highs.json")
    code, wall, cpu, peak = timed(
        [sys.executable, os.path.abspath(__file__), "--placeplan", "-", "--highs-child", mps,
         "--time-limit", str(limit), "--gap", str(gap)],
        os.path.join(out, f"{inst}-highs.log"),
    )
    r = {"time_s": wall, "cpu_s": cpu, "peak_mb": peak, "exit": code}
    if code != 0 or not os.path.exists(res):
        r["status"] = f"failed (exit {code})"
        return r
    with open(res) as f:
        r.update(json.load(f))
    return r


def highs_child(mps, limit, gap):
    import highspy

    h = highspy.Highs()
    for k, v in (("threads", 1), ("time_limit", float(limit)), ("mip_rel_gap", float(gap)),
                 ("random_seed", 0)):
        h.setOptionValue(k, v)
    h.readModel(mps)
    h.run()
    info = h.getInfo()
    status = h.modelStatusToString(h.getModelStatus())
    is_mip = info.mip_node_count >= 0
    has_plan = info.primal_solution_status == 2  # kSolutionStatusFeasible
    obj = info.objective_function_value * POUNDS_PER_UNIT if has_plan else None
    if is_mip:
        bound = info.mip_dual_bound * POUNDS_PER_UNIT
    else:
        bound = obj if status == "Optimal" else None
    out = {"status": status, "objective": obj, "bound": bound,
           "gap": rel_gap(obj, bound), "solver_s": h.getRunTime()}
    base = os.path.splitext(mps)[0]
    with open(base + "-highs.json", "w") as f:
        json.dump(out, f)


def cbc_path():
    import pulp

    path = pulp.PULP_CBC_CMD().path
    if not path or not os.path.exists(path):
        sys.exit("the cbc binary PuLP ships was not found")
    return path


NUM = r"(-?[0-9.]+(?:e[-+]?[0-9]+)?)"


def run_cbc(cbc, mps, limit, gap, out, inst):
    log_path = os.path.join(out, f"{inst}-cbc.log")
    code, wall, cpu, peak = timed(
        [cbc, mps, "-timeMode", "elapsed", "-threads", "1", "-sec", str(limit), "-ratioGap",
         str(gap), "-solve", "-quit"],
        log_path,
    )
    r = {"time_s": wall, "cpu_s": cpu, "peak_mb": peak, "exit": code}
    with open(log_path) as f:
        text = f.read()
    m = re.search(r"^Result - (.*)$", text, re.M)
    lp = re.search(r"^(Optimal|Stopped|Infeasible|Unbounded).*objective value " + NUM, text, re.M)
    obj = bound = None
    if m:
        r["status"] = m.group(1).strip()
        o = re.search(r"^Objective value:\s+" + NUM, text, re.M)
        b = re.search(r"^Lower bound:\s+" + NUM, text, re.M)
        best = re.findall(r"best possible " + NUM, text)
        obj = float(o.group(1)) * POUNDS_PER_UNIT if o and "No feasible" not in r["status"] else None
        if b:
            bound = float(b.group(1)) * POUNDS_PER_UNIT
        elif best:
            bound = float(best[-1]) * POUNDS_PER_UNIT
        elif r["status"].startswith("Optimal solution found") and obj is not None:
            bound = obj
    elif lp:
        # A model without integer columns: CBC solves the LP alone.
        r["status"] = lp.group(1)
        if lp.group(1) in ("Optimal", "Stopped"):
            obj = float(lp.group(2)) * POUNDS_PER_UNIT
        if lp.group(1) == "Optimal":
            bound = obj
    else:
        r["status"] = f"no result (exit {code})"
    r.update(objective=obj, bound=bound, gap=rel_gap(obj, bound))
    return r


def rel_gap(obj, bound):
    if obj is None or bound is None:
        return None
    return max(0.0, (obj - bound) / abs(obj)) if obj else 0.0


# ---------------------------------------------------------------------------------------------
# The table


def money(v):
    return "-" if v is None else f"{v:,.0f}"


def short(status):
    """A solver's status in a few words."""
    s = str(status or "")
    for long, brief in (("Optimal solution found (within gap tolerance)", "within gap"),
                        ("Optimal solution found", "Optimal"),
                        ("Stopped on time limit", "time limit"),
                        ("Time limit reached", "time limit")):
        s = s.replace(long, brief)
    return s


def consistency(rows):
    """Lines naming any objective below another solver's proven bound on the same instance
    (the models or their units would then differ)."""
    out = []
    for inst in dict.fromkeys(r["instance"] for r in rows):
        mine = [r for r in rows if r["instance"] == inst]
        for b in mine:
            for o in mine:
                if b.get("bound") is None or o.get("objective") is None:
                    continue
                if o["objective"] < b["bound"] - 1e-6 * abs(b["bound"]) - 1.0:
                    out.append(f"WARNING {inst}: {o['solver']}'s objective {money(o['objective'])} "
                               f"is below {b['solver']}'s bound {money(b['bound'])}")
    return out


def print_table(rows, sizes, a):
    pp = {r["instance"]: r for r in rows if r["solver"] == "placeplan"}
    head = ["instance", "solver", "status", "time s", "CPU s", "objective £", "bound £", "gap",
            "peak MB", "time / placeplan", "objective vs placeplan"]
    lines = []
    for r in rows:
        base = pp.get(r["instance"])
        ratio = vs = "-"
        # Ratios only against a plan placeplan found.
        if base and base.get("objective") and r["solver"] != "placeplan":
            ratio = f"{r['time_s'] / base['time_s']:.2f}x"
            if r.get("objective") is not None:
                vs = f"{100.0 * (r['objective'] - base['objective']) / base['objective']:+.3f}%"
        gap = "-" if r.get("gap") is None else f"{100.0 * r['gap']:.3f}%"
        lines.append([r["instance"], r["solver"], short(r.get("status")), f"{r['time_s']:.2f}",
                      f"{r['cpu_s']:.2f}", money(r.get("objective")), money(r.get("bound")), gap,
                      f"{r['peak_mb']:.0f}", ratio, vs])
    print()
    print(f"Peers: one thread each, time limit {a.time_limit:g} s, relative gap as the scenario's "
          "mip_gap (0.5%).")
    for inst, s in sizes.items():
        print(f"  {inst}: {s['rows']:,} rows, {s['columns']:,} columns "
              f"({s['integers']:,} integer), {s['nonzeros']:,} nonzeros")
    print()
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for line in lines:
        print("| " + " | ".join(line) + " |")
    print()
    print("time: wall seconds of the whole process: for placeplan the `plan` command (read the")
    print("  CSV files, forecast, build, solve, baselines, checks, CSV outputs); for HiGHS and CBC")
    print("  reading the MPS and solving it. time / placeplan above 1 means placeplan was faster.")
    print("CPU s: user + system CPU seconds of the process (close to the wall time on an idle")
    print("  machine; well below it when other work shares the cores).")
    print("objective and bound: pounds. The MPS costs are in thousands of pounds (SCALE = 1e-3),")
    print("  so HiGHS's and CBC's values are x1,000; the file omits no constant for these plans")
    print("  (no fixed builds, no one-off opening costs), so the figures compare directly.")
    print("gap: (objective - bound) / objective as each solver proves it; '-' where it proves none.")
    print("objective vs placeplan: the peer's objective relative to placeplan's (negative: lower cost).")
    warnings = consistency(rows)
    for w in warnings:
        print(w)
    if not warnings:
        print("Every objective is at or above every solver's bound on its instance (same model,")
        print("  same units).")


if __name__ == "__main__":
    main()
