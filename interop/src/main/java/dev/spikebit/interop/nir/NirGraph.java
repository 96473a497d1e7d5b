package dev.spikebit.interop.nir;

import dev.spikebit.core.SpikebitException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A NIR graph: named nodes and directed edges. Several edges into one node are summed (NIR's
 * rule). {@code version} is the NIR version the writer recorded; {@code timeStep} the simulation
 * step in seconds the writer recorded in the graph's metadata as {@code dt}, or NaN (NIR has no
 * field for it, most writers record none).
 */
public record NirGraph(String version, Map<String, NirNode> nodes, List<Edge> edges, double timeStep) {
    /** An edge from one node's output to another's input. */
    public record Edge(String from, String to) {}

    public NirGraph {
        nodes = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(nodes));
        edges = List.copyOf(edges);
    }

    /** The predecessors of a node, in edge order. */
    public List<String> inputsOf(String node) {
        List<String> out = new ArrayList<>();
        for (Edge e : edges) {
            if (e.to().equals(node)) {
                out.add(e.from());
            }
        }
        return out;
    }

    /** The successors of a node, in edge order. */
    public List<String> outputsOf(String node) {
        List<String> out = new ArrayList<>();
        for (Edge e : edges) {
            if (e.from().equals(node)) {
                out.add(e.to());
            }
        }
        return out;
    }

    /**
     * The nodes in an order where every node comes after its inputs.
     *
     * @throws SpikebitException naming a node on a cycle (a recurrent connection) or an edge to an
     *     unknown node
     */
    public List<String> topologicalOrder() {
        Map<String, Integer> pending = new HashMap<>();
        for (String n : nodes.keySet()) {
            pending.put(n, 0);
        }
        for (Edge e : edges) {
            if (!nodes.containsKey(e.from()) || !nodes.containsKey(e.to())) {
                throw new SpikebitException(
                        "NIR graph: edge " + e.from() + " -> " + e.to() + " names a node the graph " + "does not have");
            }
            pending.merge(e.to(), 1, Integer::sum);
        }
        Deque<String> ready = new ArrayDeque<>();
        for (String n : nodes.keySet()) {
            if (pending.get(n) == 0) {
                ready.add(n);
            }
        }
        List<String> order = new ArrayList<>();
        while (!ready.isEmpty()) {
            String n = ready.poll();
            order.add(n);
            for (String next : outputsOf(n)) {
                if (pending.merge(next, -1, Integer::sum) == 0) {
                    ready.add(next);
                }
            }
        }
        if (order.size() != nodes.size()) {
            for (String n : nodes.keySet()) {
                if (!order.contains(n)) {
                    throw new SpikebitException(
                            "NIR node \"" + n + "\" (" + nodes.get(n).type() + ") is on a cycle: "
                                    + "recurrent connections cannot be mapped, spikebit's layers are feed-forward");
                }
            }
        }
        return order;
    }
}
