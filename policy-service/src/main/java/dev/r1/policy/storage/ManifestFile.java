package dev.r1.policy.storage;

/**
 * One file of a stored model folder.
 *
 * @param name the file name inside the folder
 * @param sizeBytes its size
 * @param sha256 lower-case hex SHA-256 of its bytes
 * @param url where to download it (filled in by the web layer; null on disk)
 */
public record ManifestFile(String name, long sizeBytes, String sha256, String url) {

  /** This entry with a download URL. */
  public ManifestFile withUrl(String url) {
    return new ManifestFile(name, sizeBytes, sha256, url);
  }
}
