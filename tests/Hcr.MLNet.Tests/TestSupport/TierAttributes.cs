using Xunit.Abstractions;
using Xunit.Sdk;

namespace Hcr.MLNet.Tests.TestSupport;

/// <summary>
/// A test of the slow tier (<see cref="TestTier"/>): it carries <c>Category=Slow</c> and is skipped, saying how to run it,
/// unless the run asks for the slow tier. One attribute both marks and skips, so that the two cannot disagree.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
[TraitDiscoverer(SlowTierTraitDiscoverer.TypeName, SlowTierTraitDiscoverer.AssemblyName)]
public sealed class SlowFactAttribute : FactAttribute, ITraitAttribute
{
    // xunit 2 reads Skip from the attribute when it discovers the test: set here, a skip needs no code in the test.
    public SlowFactAttribute() => Skip = TestTier.Current.SkipReason(slow: true, missingData: null);
}

/// <summary>A theory of the slow tier: see <see cref="SlowFactAttribute"/>.</summary>
[AttributeUsage(AttributeTargets.Method)]
[TraitDiscoverer(SlowTierTraitDiscoverer.TypeName, SlowTierTraitDiscoverer.AssemblyName)]
public sealed class SlowTheoryAttribute : TheoryAttribute, ITraitAttribute
{
    public SlowTheoryAttribute() => Skip = TestTier.Current.SkipReason(slow: true, missingData: null);
}

/// <summary>
/// A slow-tier test that reads a real data set in <c>../shared</c>. Where the data is missing and not required, it is
/// skipped with what is missing and where to get it; where it is required (<c>CI=true</c>, <c>HCR_REQUIRE_DATA=1</c>), it
/// runs and fails with that message.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
[TraitDiscoverer(SlowTierTraitDiscoverer.TypeName, SlowTierTraitDiscoverer.AssemblyName)]
public sealed class DataFactAttribute : FactAttribute, ITraitAttribute
{
    public DataFactAttribute(SharedDataSet data)
    {
        Data = data;
        Skip = TestTier.Current.SkipReason(slow: true, missingData: SharedData.Missing(data));
    }

    public SharedDataSet Data { get; }
}

/// <summary>
/// A test that runs a Python script of <c>.ci/</c>: skipped, saying so, where no <c>python3</c> is on the PATH (Windows
/// without Python); CI machines have one, so there it runs.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PythonFactAttribute : FactAttribute
{
    public PythonFactAttribute()
    {
        bool found = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Any(dir => dir.Length > 0 && (File.Exists(Path.Combine(dir, "python3")) || File.Exists(Path.Combine(dir, "python3.exe"))));
        if (!found)
            Skip = "python3 is not on the PATH; this test runs a script of .ci/ with it.";
    }
}

/// <summary>Gives the tier attributes their trait, <c>Category=Slow</c>, which <c>dotnet test --filter</c> sees.</summary>
public sealed class SlowTierTraitDiscoverer : ITraitDiscoverer
{
    public const string TypeName = "Hcr.MLNet.Tests.TestSupport." + nameof(SlowTierTraitDiscoverer);
    public const string AssemblyName = "Hcr.MLNet.Tests";

    public IEnumerable<KeyValuePair<string, string>> GetTraits(IAttributeInfo traitAttribute) =>
        [new(TestTier.Category, TestTier.Slow)];
}
