using MiaLab.Core.Attacks;
using MiaLab.Core.Signals;

namespace MiaLab.Core.Tests.Attacks;

/// <summary>
/// The options records have no defaults (the registry holds those); these are the fixed settings the
/// attack tests' hand-derived values were computed with, overridable by name.
/// </summary>
internal static class TestAttackOptions
{
#pragma warning disable IDE1006 // parameter names match the records' properties, so calls read the same
    public static RmiaOptions Rmia(bool Online = true, double Gamma = 2.0, double? OfflineA = 0.3, double Temperature = 1.0, bool TrimmedMean = false) =>
        new(Online, Gamma, OfflineA, Temperature, TrimmedMean);

    public static LiraOptions Lira(LiraVariance Variance = LiraVariance.PerSample, bool TwoSidedOffline = false, SignalKind? Signal = SignalKind.StableLogit) =>
        new(Variance, TwoSidedOffline, Signal);
#pragma warning restore IDE1006
}
