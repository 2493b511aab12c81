//! placeplan-report: everything a run is rendered into: the CSV tables and `summary.json`, the
//! finance workbook (XLSX), GeoJSON for GIS, the self-contained HTML report, the side-by-side
//! comparison of runs, and a sweep's tables (with what each capital level buys) and report.

mod aggregate;
pub mod compare;
pub mod export;
mod files;
pub mod geojson;
pub mod html;
mod labels;
mod run;
pub mod statutory;
pub mod sweep_capital;
pub mod sweep_report;
pub mod sweep_table;
mod tables;
pub mod xlsx;
