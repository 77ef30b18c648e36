/// Packaging: the formats Lantai reads and writes — BagIt (RFC 8493), OCFL 1.1, METS 1.12,
/// PREMIS 3, format identification by signature, and the SM3 hash (GB/T 32905).
/// Files only: no database, no network.
public enum Packaging {}
