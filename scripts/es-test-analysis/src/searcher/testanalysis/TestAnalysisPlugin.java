package searcher.testanalysis;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.charfilter.MappingCharFilter;
import org.apache.lucene.analysis.charfilter.NormalizeCharMap;
import org.apache.lucene.analysis.miscellaneous.StemmerOverrideFilter;
import org.apache.lucene.analysis.pattern.PatternCaptureGroupTokenFilter;
import org.apache.lucene.analysis.pattern.PatternReplaceCharFilter;
import org.apache.lucene.analysis.pattern.PatternReplaceFilter;
import org.apache.lucene.analysis.pattern.PatternTokenizer;
import org.elasticsearch.common.regex.Regex;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.index.analysis.CharFilterFactory;
import org.elasticsearch.index.analysis.NormalizingCharFilterFactory;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.index.analysis.TokenizerFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;
import org.elasticsearch.plugins.AnalysisPlugin;
import org.elasticsearch.plugins.Plugin;

/**
 * TEST ONLY.  The analysis types searcher's index template uses, registered under the names
 * Elasticsearch's analysis-common module gives them, each a thin wrapper around the Lucene class
 * that does the work.  See README.md beside this source for why it exists and what it covers.
 *
 * <p>Each type is one map entry: read and check its settings once, when the index is created,
 * and return a factory that wraps a stream in the Lucene class.
 */
public final class TestAnalysisPlugin extends Plugin implements AnalysisPlugin {

    @Override
    public Map<String, AnalysisProvider<CharFilterFactory>> getCharFilters() {
        return Map.of(
            "mapping",
            configured((index, env, name, settings) -> {
                allow(name, settings, "mappings");
                NormalizeCharMap.Builder map = new NormalizeCharMap.Builder();
                for (String line : required(name, settings, "mappings")) {
                    Rules.Rule rule = Rules.parse(line, false);
                    map.add(rule.from().get(0), rule.to());
                }
                NormalizeCharMap built = map.build();
                return charFilter(name, reader -> new MappingCharFilter(built, reader));
            }),
            "pattern_replace",
            configured((index, env, name, settings) -> {
                allow(name, settings, "pattern", "flags", "replacement");
                Pattern pattern = Regex.compile(single(name, settings, "pattern"), settings.get("flags"));
                String replacement = settings.get("replacement", "");
                return charFilter(name, reader -> new PatternReplaceCharFilter(pattern, replacement, reader));
            }));
    }

    @Override
    public Map<String, AnalysisProvider<TokenizerFactory>> getTokenizers() {
        return Map.of(
            "pattern",
            (index, env, name, settings) -> {
                allow(name, settings, "pattern", "flags", "group");
                Pattern pattern = Regex.compile(settings.get("pattern", "\\W+"), settings.get("flags"));
                int group = settings.getAsInt("group", -1);
                return TokenizerFactory.newFactory(name, () -> new PatternTokenizer(pattern, group));
            });
    }

    @Override
    public Map<String, AnalysisProvider<TokenFilterFactory>> getTokenFilters() {
        return Map.of(
            "pattern_replace",
            configured((index, env, name, settings) -> {
                allow(name, settings, "pattern", "flags", "replacement", "all");
                Pattern pattern = Regex.compile(single(name, settings, "pattern"), settings.get("flags"));
                String replacement = settings.get("replacement", "");
                boolean all = settings.getAsBoolean("all", true);
                return filter(name, in -> new PatternReplaceFilter(in, pattern, replacement, all));
            }),
            "pattern_capture",
            configured((index, env, name, settings) -> {
                allow(name, settings, "patterns", "flags", "preserve_original");
                String flags = settings.get("flags");
                Pattern[] patterns = required(name, settings, "patterns").stream()
                    .map(p -> Regex.compile(p, flags))
                    .toArray(Pattern[]::new);
                boolean keep = settings.getAsBoolean("preserve_original", true);
                return filter(name, in -> new PatternCaptureGroupTokenFilter(in, keep, patterns));
            }),
            "stemmer_override",
            configured((index, env, name, settings) -> {
                allow(name, settings, "rules");
                StemmerOverrideFilter.Builder rules = new StemmerOverrideFilter.Builder(false);
                for (String line : required(name, settings, "rules")) {
                    Rules.Rule rule = Rules.parse(line, true);
                    rule.from().forEach(word -> rules.add(word, rule.to()));
                }
                StemmerOverrideFilter.StemmerOverrideMap map = build(rules);
                return filter(name, in -> new StemmerOverrideFilter(in, map));
            }));
    }

    // -- small helpers: settings checks and anonymous factories ----------------------------------

    /** The type cannot be used by bare name (`"filter": ["mapping"]`): it needs its settings. */
    private static <T> AnalysisProvider<T> configured(AnalysisProvider<T> provider) {
        return AnalysisPlugin.requiresAnalysisSettings(provider);
    }

    /** Refuses settings this module does not implement instead of silently ignoring them. */
    private static void allow(String name, Settings settings, String... known) {
        Set<String> unknown = new TreeSet<>();
        for (String key : settings.keySet()) {
            String root = key.replaceFirst("\\.\\d+$", ""); // list entries arrive as key.0, key.1
            // "type" names us; Elasticsearch adds index-level keys (index.version.created).
            boolean ours = root.equals("type") || root.startsWith("index.");
            if (!ours && !Set.of(known).contains(root)) {
                unknown.add(root);
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(
                "[" + name + "]: settings " + unknown + " are not supported by the searcher test "
                    + "analysis module (supported: " + List.of(known) + ")");
        }
    }

    private static List<String> required(String name, Settings settings, String key) {
        // Never comma-split: a rule like "a, b => c" is one entry.
        List<String> values = settings.getAsList(key, List.of(), false);
        if (values.isEmpty()) {
            throw new IllegalArgumentException("[" + name + "] requires [" + key + "]");
        }
        return values;
    }

    private static String single(String name, Settings settings, String key) {
        String value = settings.get(key);
        if (value == null) {
            throw new IllegalArgumentException("[" + name + "] requires [" + key + "]");
        }
        return value;
    }

    private static StemmerOverrideFilter.StemmerOverrideMap build(StemmerOverrideFilter.Builder rules) {
        try {
            return rules.build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static CharFilterFactory charFilter(String name, UnaryOperator<Reader> wrap) {
        // Normalizing: usable in keyword normalizers too, as analysis-common's mapping is.
        return new NormalizingCharFilterFactory() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Reader create(Reader reader) {
                return wrap.apply(reader);
            }
        };
    }

    private static TokenFilterFactory filter(String name, UnaryOperator<TokenStream> wrap) {
        return new TokenFilterFactory() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public TokenStream create(TokenStream in) {
                return wrap.apply(in);
            }
        };
    }
}
