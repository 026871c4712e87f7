package demo

import (
	"bytes"
	_ "embed"
	"fmt"
	"hash/fnv"
	"strings"

	"github.com/danvan-vn/danvan/bot/telegram/telegramtest"
	"github.com/danvan-vn/danvan/org"
	"github.com/danvan-vn/danvan/storage"
)

// sampleOrg is a copy of examples/org.yaml (a test keeps them equal): the
// sandbox must work from the binary alone.
//
//go:embed sample_org.yaml
var sampleOrg []byte

func parseSample() (*org.File, error) {
	return org.Parse("examples/org.yaml", bytes.NewReader(sampleOrg))
}

// Chat kinds, as the page groups them.
const (
	kindCitizen = "citizen"
	kindOfficer = "officer"
	kindLeader  = "leader"
	kindGroup   = "group"
)

// chat is one conversation the page shows, with the person who types in
// it (in the group: the officer of the linked unit).
type chat struct {
	ID       int64  `json:"id"`
	Kind     string `json:"kind"`
	Title    string `json:"title"`
	Unit     string `json:"unit,omitempty"` // staff and group: the unit's code
	UnitName string `json:"unit_name,omitempty"`
	Featured bool   `json:"featured"` // shown at the top of the sidebar
	Phone    string `json:"phone,omitempty"`

	actor telegramtest.User
	tg    telegramtest.Chat
}

// cast is everyone the sandbox plays, built from the organisation file.
type cast struct {
	chats  []*chat
	byID   map[int64]*chat
	staff  []staffRole // roles to hold, joined through /join
	group  *chat
	linker telegramtest.User // the ward leader who links the group
}

type staffRole struct {
	user telegramtest.User
	unit string
	role string
}

// The fixed people of the sandbox. Ids are stable so that a kept database
// recognises them at the next start.
const (
	sampleWard     = "ubnd-hoa-cuong" // the ward with a leader and a linked group
	cityUnit       = "ubnd-tp"
	groupChatID    = -4001
	cityLeaderID   = 3001
	wardLeaderID   = 3002
	firstCitizenID = 1001
)

// featuredUnits are the officers listed first: the sample ward, two
// neighbours, and the triage unit that receives what no rule matches.
var featuredUnits = map[string]bool{sampleWard: true, "ubnd-hai-chau": true, "ubnd-thanh-khe": true, "tiep-cong-dan-tp": true}

// Officers get plausible names: family and given names in turn, of
// coprime counts, so the first 77 are all different.
var (
	familyNames = []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Võ", "Đặng"}
	givenNames  = []string{"Văn Hùng", "Thị Mai", "Quang Vinh", "Thị Thu", "Minh Đức", "Thị Hạnh", "Văn Phúc", "Thị Ngọc", "Thanh Tùng", "Thị Yến", "Hữu Nghĩa"}
)

func staffName(i int) string {
	return familyNames[i%len(familyNames)] + " " + givenNames[i%len(givenNames)]
}

func newCast(f *org.File, lang string) (*cast, error) {
	c := &cast{byID: map[int64]*chat{}}
	person := func(id int64, name string) telegramtest.User {
		return telegramtest.User{ID: id, FirstName: name, LanguageCode: lang}
	}
	add := func(ch *chat) error {
		if _, dup := c.byID[ch.ID]; dup {
			return fmt.Errorf("demo: two people with id %d", ch.ID)
		}
		if ch.tg.ID == 0 {
			ch.tg = telegramtest.PrivateChat(ch.actor)
		}
		c.chats = append(c.chats, ch)
		c.byID[ch.ID] = ch
		return nil
	}
	citizens := []struct{ name, phone string }{{"Nguyễn Thị Lan", "+84905123456"}, {"Trần Văn Minh", "+84935654321"}}
	for i, p := range citizens {
		u := person(firstCitizenID+int64(i), p.name)
		if err := add(&chat{ID: u.ID, Kind: kindCitizen, Title: p.name, Featured: true, Phone: p.phone, actor: u}); err != nil {
			return nil, err
		}
	}

	units := map[string]org.Unit{}
	for _, u := range f.Units {
		units[u.Code] = u
	}
	for _, l := range []struct {
		id         int64
		name, unit string
	}{{cityLeaderID, "Lê Văn Thành", cityUnit}, {wardLeaderID, "Phạm Thị Hoa", sampleWard}} {
		u, ok := units[l.unit]
		if !ok {
			return nil, fmt.Errorf("demo: the sample organisation has no unit %q", l.unit)
		}
		p := person(l.id, l.name)
		if err := add(&chat{ID: l.id, Kind: kindLeader, Title: l.name, Unit: u.Code, UnitName: u.Name, Featured: true, actor: p}); err != nil {
			return nil, err
		}
		c.staff = append(c.staff, staffRole{user: p, unit: u.Code, role: storage.RoleLeader})
		if l.unit == sampleWard {
			c.linker = p
		}
	}

	var wardOfficer telegramtest.User
	for i, u := range f.Units {
		if len(u.Areas) == 0 {
			continue
		}
		p := person(officerID(u.Code), staffName(i))
		if err := add(&chat{ID: p.ID, Kind: kindOfficer, Title: p.FirstName, Unit: u.Code, UnitName: u.Name, Featured: featuredUnits[u.Code], actor: p}); err != nil {
			return nil, err
		}
		c.staff = append(c.staff, staffRole{user: p, unit: u.Code, role: storage.RoleOfficer})
		if u.Code == sampleWard {
			wardOfficer = p
		}
	}
	if wardOfficer.ID == 0 {
		return nil, fmt.Errorf("demo: the sample organisation has no unit %q with areas", sampleWard)
	}
	ward := units[sampleWard]
	title := "Tổ tiếp nhận " + strings.Replace(ward.Name, "Ủy ban nhân dân", "UBND", 1)
	c.group = &chat{ID: groupChatID, Kind: kindGroup, Title: title, Unit: ward.Code, UnitName: ward.Name,
		Featured: true, actor: wardOfficer, tg: telegramtest.GroupChat(groupChatID, title)}
	if err := add(c.group); err != nil {
		return nil, err
	}
	return c, nil
}

// officerID derives an officer's Telegram id from the unit code, so that
// it stays the same when the sample file gains or reorders units.
func officerID(unitCode string) int64 {
	h := fnv.New32a()
	h.Write([]byte(unitCode))
	return 2_000_000 + int64(h.Sum32()%1_000_000)
}
