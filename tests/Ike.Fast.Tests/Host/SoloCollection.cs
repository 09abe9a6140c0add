namespace Ike.Fast.Tests.Host;

/// <summary>
/// Tests that read process-wide figures (GC.GetTotalMemory), or assert zero allocation over a process-wide pool
/// (SecretBufferPool) that a parallel test could drain, run alone: no other test class allocates or rents meanwhile.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SoloCollection
{
    public const string Name = "Solo (process-wide measurements)";
}
