#!/usr/bin/env bash
# scripts/make-demo-clip.sh: makes the demo clip (scripts/demo/scanner-demo.mpegts) and its sidecar of
# transmissions (scanner-demo.json) with espeak-ng, sox and ffmpeg. Run at development time only; both
# files are committed, so `npm run demo` needs none of these tools.
set -euo pipefail
cd "$(dirname "$0")/demo"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rate=22050

# channel|frequency MHz|talkgroup (empty: conventional)|text|squelch gap after it, seconds
transmissions=(
  "12|154.4300||Engine 5 responding, Main and Fourth.|2.5"
  "37|155.7450||Dispatch, Engine 5. Copy, Main and Fourth.|3.0"
  "212|853.2375|16048|Medic 2 en route to County General, E T A ten minutes.|2.0"
  "12|154.4300||Engine 5 on scene, nothing showing.|3.5"
  "88|460.1250||Unit 14, traffic stop, Elm and Ninth.|2.5"
  "212|853.2375|22000|Tower two, all units switch to tac one.|3.0"
)

noise() { # $1 seconds of low squelch hiss
  sox -n -r $rate -c 1 -b 16 "$2" synth "$1" whitenoise vol 0.02
}

parts=()
json_items=()
t=0
noise 1.0 "$work/lead.wav"
parts+=("$work/lead.wav")
t=1.0
i=0
for tx in "${transmissions[@]}"; do
  IFS='|' read -r channel freq tg text gap <<<"$tx"
  espeak-ng -v en-us -s 170 -w "$work/v$i.raw.wav" "$text"
  # Radio sound: band-limited, a little compressed, with a squelch burst before and the tail after.
  sox "$work/v$i.raw.wav" -r $rate -c 1 -b 16 "$work/v$i.voice.wav" highpass 300 lowpass 3000 compand 0.02,0.2 6:-70,-60,-20 -6 -90 0.1 gain -n -3
  sox -n -r $rate -c 1 -b 16 "$work/v$i.open.wav" synth 0.12 whitenoise vol 0.25
  sox -n -r $rate -c 1 -b 16 "$work/v$i.tail.wav" synth 0.18 whitenoise vol 0.3
  sox "$work/v$i.open.wav" "$work/v$i.voice.wav" "$work/v$i.tail.wav" "$work/v$i.wav"
  len=$(soxi -D "$work/v$i.wav")
  start=$t
  end=$(echo "$t + $len" | bc -l)
  noise "$gap" "$work/g$i.wav"
  parts+=("$work/v$i.wav" "$work/g$i.wav")
  json_items+=("{\"startSec\":$(printf '%.3f' "$start"),\"endSec\":$(printf '%.3f' "$end"),\"channel\":$channel,\"frequencyMHz\":$freq,\"talkgroup\":$([ -n "$tg" ] && echo "\"$tg\"" || echo null),\"text\":\"$text\"}")
  t=$(echo "$end + $gap" | bc -l)
  i=$((i + 1))
done

sox "${parts[@]}" "$work/all.wav"
# One frame per PES, no mux delay: a Low-Latency HLS part can be published as soon as it ends.
ffmpeg -hide_banner -loglevel error -y -i "$work/all.wav" -ac 1 -ar $rate -c:a libmp3lame -b:a 24k \
  -pes_payload_size 0 -muxdelay 0 -muxpreload 0 \
  -metadata service_name="scanner-hls demo" -f mpegts scanner-demo.mpegts
total=$(soxi -D "$work/all.wav")
items=$(IFS=,; echo "${json_items[*]}")
node -e 'const [d, items] = process.argv.slice(1); process.stdout.write(JSON.stringify({ clip: "scanner-demo.mpegts", durationSec: Number(Number(d).toFixed(3)), sampleRate: 22050, codec: "mp3", transmissions: JSON.parse("[" + items + "]") }, null, 2) + "\n");' "$total" "$items" >scanner-demo.json
npx --no-install prettier --write scanner-demo.json >/dev/null
ls -l scanner-demo.mpegts scanner-demo.json
