namespace Hcr.MLNet.Data;

/// <summary>
/// MD5 checksums of official EMNIST files, keyed by file name (for example
/// <c>emnist-balanced-train-images-idx3-ubyte.gz</c>), as lower-case hexadecimal.
/// </summary>
/// <remarks>
/// MD5 serves here to detect damaged or substituted files, not as a defence against an attacker; it is
/// what the published EMNIST checksums use. Files without an entry are verified by loading them.
/// </remarks>
public static class EmnistChecksums
{
    /// <summary>The checksums known for the files of NIST's <c>gzip.zip</c> (the Balanced split's data files).</summary>
    public static IReadOnlyDictionary<string, string> Official { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["emnist-balanced-train-images-idx3-ubyte.gz"] = "4041b0d6f15785d3fa35263901b5496b",
        ["emnist-balanced-train-labels-idx1-ubyte.gz"] = "7a35cc7b2b7ee7671eddf028570fbd20",
        ["emnist-balanced-test-images-idx3-ubyte.gz"] = "6818d20fe2ce1880476f747bbc80b22b",
        ["emnist-balanced-test-labels-idx1-ubyte.gz"] = "acd3694070dcbf620e36670519d4b32f",
    };
}
