#pragma once

#include "datagen/schema.h"

namespace fedgate::datagen {

// Table writers; each emits rows in the column order of its TableDef (schema.cpp).
void WriteGpPatients(const std::vector<Person>& people, uint64_t seed, RowSink& sink);
void WriteGpDiagnoses(const std::vector<Person>& people, uint64_t seed, RowSink& sink);
void WriteGpConsultations(const std::vector<Person>& people, uint64_t seed, RowSink& sink);
void WriteGpObservations(const std::vector<Person>& people, uint64_t seed, RowSink& sink);
void WriteGpPrescriptions(const std::vector<Person>& people, uint64_t seed, RowSink& sink);

void WriteAcuteAdmissions(const std::vector<Person>& people, uint64_t seed, RowSink& sink);
void WriteAcuteOutpatients(const std::vector<Person>& people, uint64_t seed, RowSink& sink);
void WriteAcuteAeAttendances(const std::vector<Person>& people, uint64_t seed, RowSink& sink);

void WriteCommunityContacts(const std::vector<Person>& people, uint64_t seed, RowSink& sink);

void WriteMentalHealthReferrals(const std::vector<Person>& people, uint64_t seed, RowSink& sink);
void WriteMentalHealthContacts(const std::vector<Person>& people, uint64_t seed, RowSink& sink);

void WriteSocialCareClients(const std::vector<Person>& people, uint64_t seed, RowSink& sink);
void WriteSocialCareServices(const std::vector<Person>& people, uint64_t seed, RowSink& sink);

}  // namespace fedgate::datagen
