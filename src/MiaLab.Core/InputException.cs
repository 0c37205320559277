namespace MiaLab.Core;

/// <summary>
/// A mistake in what the user gave us (a bad path, shape, dtype, config key, index…).
/// The CLI prints its message as one line and exits with code 2; anything else is a bug
/// (exit 1 with the stack trace). Messages name the file or option at fault.
/// </summary>
public sealed class InputException(string message) : Exception(message)
{
    /// <summary>Text folded onto one line (line breaks become spaces), for quoting another
    /// component's message inside ours.</summary>
    public static string OneLine(string text) =>
        string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
