//! `trail-vpce timeline`: select, sort (bounded memory), summarise and stream the rows out.

use std::sync::Arc;

use super::{AppError, RunOutcome, check_input, integrity};
use crate::analyze::timeline::{Matcher, Timeline};
use crate::cli::{TimelineFormat, TimelineTask};
use crate::ingest;
use crate::report::command::timeline as write;
use crate::report::rows;
use crate::report::{self, Human};

pub fn run(mut task: TimelineTask) -> Result<RunOutcome, AppError> {
    let settings = super::prepare(&mut task.shared)?;
    let spill = task.spill;
    let (matcher, pivot) = if task.pivot {
        // Pass 1: what the seed used. Pass 2 (below): everything that shares any of it.
        let seed = Arc::new(task.seed);
        let (first, _) = ingest::run(&task.shared.ingest, || Timeline::pivot_only(seed.clone()))?;
        let sets = first.pivot_sets().clone();
        let matcher = Matcher {
            principals: sets.principals.clone(),
            access_keys: sets.access_keys.clone(),
            ips: sets.public_ips.clone(),
            resources: seed.resources.clone(),
            session: None,
            any_of: true,
        };
        (Arc::new(matcher), Some(sets))
    } else {
        (Arc::new(task.seed), None)
    };
    // `--verify` hashes in the second pass only: the one whose rows are reported.
    let check = task.integrity.as_ref();
    integrity::enable(check, &mut task.shared.ingest);
    let (ingest, output) = (&task.shared.ingest, &task.shared.output);
    let (timeline, mut stats) =
        ingest::run(ingest, || Timeline::new(matcher.clone(), spill).tracking_files(check.is_some()))?;
    check_input(&stats, output)?;
    let judged = integrity::judge(check, &mut stats, ingest)?;
    let ownership = settings.ownership(&stats.endpoints);
    let book = judged.as_ref().map(|(book, _)| book);
    let rows = timeline.into_sorted()?.map(|row| {
        row.map(|mut row| {
            row.apply_ownership(&ownership);
            if let Some(book) = book {
                row.integrity = Some(book.of_event(row.source_file.as_deref(), row.event_id.as_deref()));
            }
            row
        })
    });
    let files = judged.as_ref().map(|(_, summary)| summary);
    let view = integrity::view(check);
    let mut out = report::open_output(output.output.as_deref())?;
    let window = output.window;
    match task.format {
        TimelineFormat::Json => write::write_json(&mut out, rows, &stats, window, pivot.as_ref(), files)?,
        TimelineFormat::Ndjson => write::write_ndjson(&mut out, rows)?,
        TimelineFormat::Csv => rows::write_csv_stream(rows, view, &mut out)?,
        TimelineFormat::Table => write::write_human(&mut Human::new(&mut out), rows, &stats, pivot.as_ref(), files)?,
    }
    out.finish()?;
    Ok(RunOutcome::Clean)
}
