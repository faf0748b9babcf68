package main

import (
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// user is the resource the API serves.
type user struct {
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	Email   string    `json:"email"`
	Created time.Time `json:"created"`
}

// store keeps users in memory; mu guards users and next.
type store struct {
	mu    sync.Mutex
	users map[string]user
	next  int
}

func newStore() *store { return &store{users: map[string]user{}} }

func (s *store) list() []user {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]user, 0, len(s.users))
	for _, u := range s.users {
		out = append(out, u)
	}
	slices.SortFunc(out, func(a, b user) int {
		if c := len(a.ID) - len(b.ID); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}

func (s *store) create(u user) user {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next++
	u.ID = strconv.Itoa(s.next)
	u.Created = time.Now().UTC().Truncate(time.Second)
	s.users[u.ID] = u
	return u
}

func (s *store) get(id string) (user, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[id]
	return u, ok
}

func (s *store) replace(id string, u user) (user, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.users[id]
	if !ok {
		return user{}, false
	}
	u.ID, u.Created = id, old.Created
	s.users[id] = u
	return u, true
}

func (s *store) remove(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.users[id]
	delete(s.users, id)
	return ok
}
