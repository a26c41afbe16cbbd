// Package text serves /api/v2/text: character and campaign content and
// re-theming, generated through the queue by OpenAI or the offline
// generator.
package text

import (
	"net/http"

	"github.com/dndcc/dnd-llm-service/shared/auth"
	"github.com/dndcc/dnd-llm-service/shared/dnd"
	"github.com/dndcc/dnd-llm-service/shared/httpapi"
)

// MaxBody caps request bodies of the text routes.
const MaxBody = 1 << 20

// Register mounts the text routes on mux, each behind auth and the body cap.
func (s *Service) Register(mux httpapi.Mux, v *auth.Verifier) {
	guard := func(f http.HandlerFunc) http.Handler {
		return httpapi.Chain(f, auth.Middleware(v), httpapi.MaxBody(MaxBody))
	}
	mux.Handle("POST /api/v2/text/character", guard(handler[dnd.CharacterRequest](s, dnd.KindCharacter)))
	mux.Handle("POST /api/v2/text/campaign", guard(handler[dnd.CampaignRequest](s, dnd.KindCampaign)))
	mux.Handle("POST /api/v2/text/theme", guard(handler[dnd.ThemeRequest](s, dnd.KindTheme)))
}
