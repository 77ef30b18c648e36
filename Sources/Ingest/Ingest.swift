/// Ingest: the checks a transfer goes through before the archives accepts it (四性检测, DA/T 70),
/// as plain Swift over files on disk — no database, no server.
public enum Ingest {}
