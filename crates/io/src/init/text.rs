//! The text `init` writes: `scenario.toml` and `ASSUMPTIONS.md`, and small helpers for them.

use crate::import::gias;

pub(super) fn count_kind(g: &gias::GiasImport, k: placeplan_model::SchoolKind) -> usize {
    g.schools.iter().filter(|s| s.kind == k).count()
}

/// `2019, 2020, 2021` as `2019-2021` when consecutive.
pub(super) fn years_list(ys: &[i32]) -> String {
    match (ys.first(), ys.last()) {
        (Some(a), Some(b)) if (b - a) as usize + 1 == ys.len() && a != b => format!("{a}-{b}"),
        _ => ys
            .iter()
            .map(|y| y.to_string())
            .collect::<Vec<_>>()
            .join(", "),
    }
}

pub(super) fn scenario_toml(name: &str, base: i32, horizon: u32, outlines: bool) -> String {
    let quoted = name.replace('\\', "\\\\").replace('"', "\\\"");
    format!(
        r#"# {quoted}: a scenario built by `placeplan init` from published files.
# What it assumed is in ASSUMPTIONS.md. Settings left out take placeplan's defaults
# (docs/scenario-format.md lists each with its source): review them.

name = "{quoted}"
# Last January with EHC plan figures; the plan covers {}-{}.
base_year = {base}
horizon = {horizon}

[files]
localities = "localities.csv"
population = "population.csv"
history = "history.csv"
schools = "schools.csv"
capacity = "capacity.csv"
roads = ""
# Locality boundaries for the report's map.
boundaries = "{boundaries}"

# Single-sex and selective schools host no new base unless these are set.
[bases]
allow_single_sex = false
allow_selective = false
"#,
        base + 1,
        base + horizon as i32,
        boundaries = if outlines { super::BOUNDARIES_FILE } else { "" },
    )
}

pub(super) fn assumptions_md(
    name: &str,
    read: &[String],
    notes: &[(String, Vec<String>)],
) -> String {
    let mut s = format!(
        "# {name}: what `placeplan init` assumed\n\nEvery apportionment, projection and default applied to build this scenario, with its numbers.\n\n## Files read\n\n"
    );
    for r in read {
        s.push_str(&format!("- {r}\n"));
    }
    for (title, lines) in notes {
        s.push_str(&format!("\n## {title}\n\n"));
        for l in lines {
            s.push_str(&format!("- {l}\n"));
        }
    }
    s
}
