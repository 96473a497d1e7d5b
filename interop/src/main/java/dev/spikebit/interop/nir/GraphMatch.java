package dev.spikebit.interop.nir;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Whether a NIR graph is a template graph up to node names: a one-to-one map of nodes that keeps
 * every node's type and shapes and every edge. The template's nodes are visited in topological
 * order from its Input; each is matched to the one unmatched node of the graph whose incoming
 * edges come from exactly the images of the template node's inputs and whose type and shapes
 * agree. Zoo layouts never offer two such nodes for one template node (a block's branch conv and
 * its shortcut conv differ in kernel size), so no search is needed; the final check that the map
 * covers every node and edge catches any graph the greedy walk matched wrongly.
 */
final class GraphMatch {
    private GraphMatch() {}

    /**
     * Matches {@code graph} to {@code template}.
     *
     * @param match filled with template node name -> graph node name
     * @return null when the graphs match, else why not, naming a node of {@code graph}
     */
    static String match(NirGraph template, NirGraph graph, Map<String, String> match) {
        Set<String> used = new HashSet<>();
        for (String t : template.topologicalOrder()) {
            NirNode tn = template.nodes().get(t);
            List<String> preds = template.inputsOf(t);
            if (preds.isEmpty()) {
                String input = null;
                for (var e : graph.nodes().entrySet()) {
                    if (e.getValue() instanceof NirNode.Input) {
                        input = e.getKey();
                    }
                }
                String why = input == null
                        ? "the graph has no Input"
                        : compatible(tn, graph.nodes().get(input));
                if (why != null) {
                    return "input: " + why;
                }
                match.put(t, input);
                used.add(input);
                continue;
            }
            Set<String> wanted = new HashSet<>();
            for (String p : preds) {
                wanted.add(match.get(p));
            }
            String after = match.get(preds.getFirst());
            List<String> refusals = new ArrayList<>();
            String found = null;
            for (String candidate : graph.outputsOf(after)) {
                if (used.contains(candidate)) {
                    continue;
                }
                List<String> in = graph.inputsOf(candidate);
                String why;
                if (in.size() != preds.size() || !wanted.equals(new HashSet<>(in))) {
                    why = "its inputs are " + quoted(in) + ", the model's layer sums "
                            + quoted(new ArrayList<>(wanted));
                } else {
                    why = compatible(tn, graph.nodes().get(candidate));
                }
                if (why == null) {
                    found = candidate;
                    break;
                }
                refusals.add(
                        "\"" + candidate + "\" (" + graph.nodes().get(candidate).type() + "): " + why);
            }
            if (found == null) {
                return "layer " + t + " (" + describe(tn) + ") has no counterpart after NIR node \"" + after + "\""
                        + (refusals.isEmpty() ? ", which has no further unmatched successor" : ": " + refusals);
            }
            match.put(t, found);
            used.add(found);
        }
        if (used.size() != graph.nodes().size()) {
            List<String> extra = new ArrayList<>();
            for (String n : graph.nodes().keySet()) {
                if (!used.contains(n)) {
                    extra.add(n);
                }
            }
            return "the graph has nodes the model lacks: " + quoted(extra);
        }
        Map<String, String> back = new HashMap<>();
        match.forEach((t, g) -> back.put(g, t));
        Set<NirGraph.Edge> edges = new HashSet<>(template.edges());
        for (NirGraph.Edge e : graph.edges()) {
            if (!edges.contains(new NirGraph.Edge(back.get(e.from()), back.get(e.to())))) {
                return "NIR edge \"" + e.from() + "\" -> \"" + e.to() + "\" has no counterpart in the model";
            }
        }
        return graph.edges().size() == template.edges().size() ? null : "the graph repeats an edge";
    }

    /** Null when {@code g} can stand for the template node {@code t}, else what differs. */
    static String compatible(NirNode t, NirNode g) {
        return switch (t) {
            case NirNode.Input ti ->
                g instanceof NirNode.Input gi && Arrays.equals(ti.shape(), gi.shape())
                        ? null
                        : "expected Input " + Arrays.toString(ti.shape());
            case NirNode.Output to ->
                g instanceof NirNode.Output go && Arrays.equals(to.shape(), go.shape())
                        ? null
                        : "expected Output " + Arrays.toString(to.shape());
            case NirNode.Conv2d tc -> {
                if (!(g instanceof NirNode.Conv2d gc)) {
                    yield "expected " + describe(t);
                }
                if (!Arrays.equals(tc.weight().shape(), gc.weight().shape())
                        || !Arrays.equals(tc.stride(), gc.stride())
                        || !Arrays.equals(tc.padding(), gc.padding())) {
                    yield "expected " + describe(t) + ", found " + describe(g);
                }
                if (gc.dilation()[0] != 1 || gc.dilation()[1] != 1 || gc.groups() != 1) {
                    yield "dilation and groups must be 1";
                }
                yield null;
            }
            case NirNode.Affine ta -> {
                NirArray w = switch (g) {
                    case NirNode.Affine ga -> ga.weight();
                    case NirNode.Linear gl -> gl.weight();
                    default -> null;
                };
                yield w != null && Arrays.equals(w.shape(), ta.weight().shape())
                        ? null
                        : "expected " + describe(t) + ", found " + describe(g);
            }
            case NirNode.Lif l ->
                g instanceof NirNode.Lif || g instanceof NirNode.IntegrateAndFire ? null : "expected LIF or IF";
            case NirNode.IntegrateAndFire f ->
                g instanceof NirNode.Lif || g instanceof NirNode.IntegrateAndFire ? null : "expected LIF or IF";
            case NirNode.AvgPool2d tp ->
                g instanceof NirNode.AvgPool2d gp
                                && Arrays.equals(tp.kernel(), gp.kernel())
                                && Arrays.equals(tp.stride(), gp.stride())
                                && gp.padding()[0] == 0
                                && gp.padding()[1] == 0
                        ? null
                        : "expected " + describe(t) + ", found " + describe(g);
            case NirNode.Flatten tf ->
                g instanceof NirNode.Flatten gf && gf.startDim() == 0 && gf.endDim() == -1
                        ? null
                        : "expected Flatten(0, -1) of the whole sample, found " + describe(g);
            default -> "expected " + t.type();
        };
    }

    static String describe(NirNode n) {
        return switch (n) {
            case NirNode.Conv2d c ->
                "Conv2d " + Arrays.toString(c.weight().shape()) + " stride " + Arrays.toString(c.stride()) + " padding "
                        + Arrays.toString(c.padding());
            case NirNode.Affine a -> "Affine " + Arrays.toString(a.weight().shape());
            case NirNode.Linear l -> "Linear " + Arrays.toString(l.weight().shape());
            case NirNode.AvgPool2d p ->
                "AvgPool2d " + Arrays.toString(p.kernel()) + " stride " + Arrays.toString(p.stride()) + " padding "
                        + Arrays.toString(p.padding());
            case NirNode.Flatten f -> "Flatten(" + f.startDim() + ", " + f.endDim() + ")";
            default -> n.type();
        };
    }

    private static String quoted(List<String> names) {
        List<String> q = new ArrayList<>();
        for (String n : names) {
            q.add("\"" + n + "\"");
        }
        return q.toString();
    }
}
