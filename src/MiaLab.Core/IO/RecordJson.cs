using System.Text.Json;
using System.Text.Json.Serialization;

namespace MiaLab.Core.IO;

/// <summary>How MiaLab writes its JSON records (manifest.json, predictability.json, backbone.json):
/// snake_case keys, indented with "\n" line ends, NaN and ±Infinity as named literals (an accuracy
/// that does not exist is NaN), non-ASCII text as is, enums as snake_case strings.</summary>
internal static class RecordJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        NewLine = "\n",
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };
}
