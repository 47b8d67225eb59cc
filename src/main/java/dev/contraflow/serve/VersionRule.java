package dev.contraflow.serve;

/**
 * Which model versions one search ranks together. Vectors of two versions of a model live in two
 * different spaces (the encoder moved between them), so their cosines are not comparable: ranking
 * them together must be asked for.
 */
record VersionRule(Kind kind, long version) {

  enum Kind {
    /** The newest version held here (the default). */
    NEWEST,
    /** Exactly {@link #version}. */
    ONLY,
    /** Every version together: the caller accepts mixed spaces. */
    MIXED
  }

  static VersionRule newest() {
    return new VersionRule(Kind.NEWEST, -1);
  }

  static VersionRule only(long version) {
    return new VersionRule(Kind.ONLY, version);
  }

  static VersionRule mixed() {
    return new VersionRule(Kind.MIXED, -1);
  }
}
