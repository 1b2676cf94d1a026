package org.frafer.persons;

import org.frafer.faces.FaceDescriptors;

/**
 * Groups faces by identity without enrolment: two faces are linked when their descriptors' cosine
 * similarity reaches the threshold, and the groups are the connected components of those links
 * (single linkage). With the identity threshold (FAR <= 1 % per pair) chains between two people are
 * rare on collections of a few hundred people; a chain merges two groups, whose median output is
 * then a blend.
 */
public final class IdentityClusters {
    private IdentityClusters() {}

    /** Group index of each face (0, 1, ... in order of first appearance). */
    public static int[] of(float[][] descriptors, double threshold) {
        int n = descriptors.length;
        int[] parent = new int[n];
        for (int i = 0; i < n; i++) {
            parent[i] = i;
        }
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                if (FaceDescriptors.cosine(descriptors[i], descriptors[j]) >= threshold) {
                    int a = root(parent, i);
                    int b = root(parent, j);
                    if (a != b) {
                        parent[Math.max(a, b)] = Math.min(a, b);
                    }
                }
            }
        }
        int[] group = new int[n];
        int[] idOfRoot = new int[n];
        java.util.Arrays.fill(idOfRoot, -1);
        int next = 0;
        for (int i = 0; i < n; i++) {
            int r = root(parent, i);
            if (idOfRoot[r] < 0) {
                idOfRoot[r] = next++;
            }
            group[i] = idOfRoot[r];
        }
        return group;
    }

    private static int root(int[] parent, int i) {
        while (parent[i] != i) {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        return i;
    }
}
