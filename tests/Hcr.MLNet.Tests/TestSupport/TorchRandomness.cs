namespace Hcr.MLNet.Tests.TestSupport;

/// <summary>
/// Tests that compare weights across training runs. libtorch's random generator is process-wide, so
/// these run alone: any other test drawing random numbers meanwhile (initialising a network, say)
/// would change the run's random stream.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchRandomness
{
    public const string Name = "libtorch's global random generator";
}
