//! LibreOffice harness for the print tests (included with `#[path]`): converts a workbook to PDF
//! headless and counts its pages, and keeps one sheet of a workbook for printing alone.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "process.rs"]
mod process;

/// Where Debian's LibreOffice puts its command.
pub const SOFFICE: &str = "/usr/bin/soffice";

/// True when LibreOffice is installed. Outside CI a missing LibreOffice prints a loud SKIPPED
/// and returns false; in CI it is a failure.
pub fn available() -> bool {
    if Path::new(SOFFICE).exists() {
        return true;
    }
    if std::env::var_os("CI").is_some() {
        panic!(
            "{SOFFICE} is missing in CI: .ci/run must install Debian's libreoffice-calc-nogui \
             package (apt-get install libreoffice-calc-nogui) before the tests"
        );
    }
    eprintln!(
        "\n==========================================================\n\
         SKIPPED: LibreOffice not installed (apt-get install libreoffice-calc-nogui)\n\
         the print-to-PDF part of this test did not run\n\
         ==========================================================\n"
    );
    false
}

/// Converts `xlsx` to PDF in `dir` with a fresh LibreOffice profile; returns the PDF's path.
/// Killed after 300 s.
pub fn to_pdf(dir: &Path, xlsx: &Path) -> PathBuf {
    let profile = tempfile::tempdir_in(dir).unwrap();
    let mut cmd = Command::new(SOFFICE);
    cmd.arg(format!(
        "-env:UserInstallation=file://{}",
        profile.path().display()
    ))
    .args([
        "--headless",
        "--norestore",
        "--convert-to",
        "pdf",
        "--outdir",
    ])
    .arg(dir)
    .arg(xlsx);
    let (_, log) = process::run_limited(&mut cmd, "soffice", 300);
    let pdf = dir.join(xlsx.with_extension("pdf").file_name().unwrap());
    assert!(pdf.exists(), "soffice wrote no PDF\n{log}");
    pdf
}

/// Pages in a PDF: its `/Type /Page` objects (not `/Pages`).
pub fn pages(pdf: &Path) -> usize {
    let bytes = std::fs::read(pdf).unwrap();
    let mut n = 0;
    let mut i = 0;
    while let Some(at) = find(&bytes[i..], b"/Type") {
        let mut j = i + at + 5;
        while bytes.get(j).is_some_and(|b| b.is_ascii_whitespace()) {
            j += 1;
        }
        if bytes[j..].starts_with(b"/Page") && bytes.get(j + 5) != Some(&b's') {
            n += 1;
        }
        i = j;
    }
    n
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// A copy of workbook `src` at `dst` that prints only sheet `keep`: every other sheet is hidden
/// and loses its print settings (LibreOffice prints a hidden sheet that has a print area).
pub fn only_sheet(src: &Path, dst: &Path, keep: &str) {
    let mut zin = zip::ZipArchive::new(std::fs::File::open(src).unwrap()).unwrap();
    let mut zout = zip::ZipWriter::new(std::fs::File::create(dst).unwrap());
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for i in 0..zin.len() {
        let mut f = zin.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes).unwrap();
        if name == "xl/workbook.xml" {
            bytes = keep_sheet(&String::from_utf8(bytes).unwrap(), keep).into_bytes();
        }
        zout.start_file(name, opts).unwrap();
        zout.write_all(&bytes).unwrap();
    }
    zout.finish().unwrap();
}

/// workbook.xml with every sheet but `keep` hidden, their defined names dropped, and `keep`
/// the active tab.
fn keep_sheet(xml: &str, keep: &str) -> String {
    let sheets: Vec<&str> = xml.split("<sheet ").skip(1).collect();
    let index = sheets
        .iter()
        .position(|s| s.starts_with(&format!("name=\"{keep}\"")))
        .unwrap_or_else(|| panic!("no sheet {keep}"));
    let mut out = String::new();
    let mut rest = xml;
    // Sheets: hide all but `keep`.
    let mut n = 0;
    while let Some(at) = rest.find("<sheet ") {
        out.push_str(&rest[..at]);
        out.push_str(if n == index {
            "<sheet "
        } else {
            "<sheet state=\"hidden\" "
        });
        rest = &rest[at + "<sheet ".len()..];
        n += 1;
    }
    out.push_str(rest);
    // Defined names of other sheets: dropped.
    let mut kept = String::new();
    let mut rest = out.as_str();
    let own = format!("localSheetId=\"{index}\"");
    while let Some(at) = rest.find("<definedName ") {
        kept.push_str(&rest[..at]);
        let end = rest[at..].find("</definedName>").unwrap() + at + "</definedName>".len();
        if rest[at..end].contains(&own) {
            kept.push_str(&rest[at..end]);
        }
        rest = &rest[end..];
    }
    kept.push_str(rest);
    kept.replacen(
        "<workbookView ",
        &format!("<workbookView activeTab=\"{index}\" "),
        1,
    )
}
