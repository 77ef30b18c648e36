/// Storage: where the archive's bytes live (OAIS archival storage).
///
/// - ``BlobStore``: the one interface for every place — ``FileSystemBlobStore`` (a directory) and
///   ``S3BlobStore`` (any S3-compatible bucket, signed with ``SigV4Signer`` over AsyncHTTPClient),
///   configured by ``S3Location`` from an `s3://` URL and `LANTAI_S3_*` variables.
/// - ``BlobOCFLStorage``: Packaging's OCFL code on any ``BlobStore``, so an OCFL 1.1 storage root
///   works the same in a directory and in a bucket.
/// - Failures are ``StorageError``s with a bilingual headline and the key concerned.
///
/// No database and no Vapor: replication and fixity build on these types.
public enum Storage {}
