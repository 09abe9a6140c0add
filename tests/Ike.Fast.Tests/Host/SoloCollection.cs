namespace Ike.Fast.Tests.Host;

/// <summary>
/// Tests that read process-wide figures (GC.GetTotalMemory) run alone: no other test class allocates meanwhile.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SoloCollection
{
    public const string Name = "Solo (process-wide measurements)";
}
