using MiaLab.Core.Config;
using MiaLab.Experiments.Studies;

namespace MiaLab.Experiments.PowerLaw;

/// <summary>One setting of the power-law study: one S (examples per class) and one seed, with its own
/// run directory. Its config is the base with power_law.shots = [S], power_law.seeds = 1 and
/// seed = base seed + <paramref name="SeedIndex"/>.</summary>
/// <param name="Name">"s0016-seed2": S zero-padded so the folders sort by S.</param>
public sealed record PowerLawSetting(int Shots, int SeedIndex, string Name, RunConfig Config) : IStudySetting;
