/// Ingest: the checks a transfer goes through before the archives accepts it (四性检测, DA/T 70),
/// as plain Swift over files on disk — no database, no server.
///
/// - `CatalogueSheet` reads the agency's catalogue sheet (CSV in UTF-8 or GB18030, English or
///   Chinese headers; simple Dublin Core XML; or an EAD3 finding aid, `ead.xml`) into
///   `RecordDraft`s and the files they name, and writes entries as EAD3.
/// - `EEPPackage` unpacks a DA/T 48 electronic records encapsulation package (电子文件封装包,
///   one XML file with the files base64-encoded inside) into a bag with an EAD3 catalogue, so an
///   EEP goes through the same check as a bag.
/// - `TransferChecker` checks an unpacked bag against its sheet and the archives' context
///   (agency, officer, receipt digest, 档号 already used) and returns a `TransferReport`: one
///   `CheckItem` per rule, each pass / warning / fail with reasons in Chinese and English, plus
///   per-file digests and formats and the validated records.
public enum Ingest {}
