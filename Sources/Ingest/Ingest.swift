/// Ingest: the checks a transfer goes through before the archives accepts it (四性检测, DA/T 70),
/// as plain Swift over files on disk — no database, no server.
///
/// - `CatalogueSheet` reads the agency's catalogue sheet (CSV in UTF-8 or GB18030, English or
///   Chinese headers; or simple Dublin Core XML) into `RecordDraft`s and the files they name.
/// - `TransferChecker` checks an unpacked bag against its sheet and the archives' context
///   (agency, officer, receipt digest, 档号 already used) and returns a `TransferReport`: one
///   `CheckItem` per rule, each pass / warning / fail with reasons in Chinese and English, plus
///   per-file digests and formats and the validated records.
public enum Ingest {}
