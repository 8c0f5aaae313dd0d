using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace Hcr.MLNet.Tests.TestSupport;

/// <summary>MD5 as the downloader's checksum table writes it: lower-case hexadecimal.</summary>
public static class Md5
{
    [SuppressMessage("Security", "CA5351:Do Not Use Broken Cryptographic Algorithms",
        Justification = "Computes the integrity checksums the downloader is given; not a security use.")]
    public static string Of(byte[] content) => Convert.ToHexStringLower(MD5.HashData(content));
}
